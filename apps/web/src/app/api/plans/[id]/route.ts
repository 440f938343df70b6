import { renamePlanBody } from "@pulseboard/schema/fitness";
import { deletePlan, getPlan, renamePlan } from "@pulseboard/schema/queries/plans";
import { idParam, json, notFound, parse, readJson, withSession } from "@/lib/api";
import { db } from "@/lib/db";

export const GET = withSession<{ id: string }>(async (_request, session, params) => {
  const plan = await getPlan(db, session.user.id, idParam(params.id, "plan"));
  if (!plan) throw notFound("plan not found");
  return json(plan);
});

export const PATCH = withSession<{ id: string }>(async (request, session, params) => {
  const id = idParam(params.id, "plan");
  const body = parse(renamePlanBody, await readJson(request), "plan");
  if (!(await renamePlan(db, session.user.id, id, body.name))) throw notFound("plan not found");
  return json(await getPlan(db, session.user.id, id));
});

export const DELETE = withSession<{ id: string }>(async (_request, session, params) => {
  if (!(await deletePlan(db, session.user.id, idParam(params.id, "plan")))) throw notFound("plan not found");
  return new Response(null, { status: 204 });
});
