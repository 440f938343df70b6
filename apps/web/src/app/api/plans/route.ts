import { createPlanBody } from "@pulseboard/schema/fitness";
import { createPlan, listPlans } from "@pulseboard/schema/queries/plans";
import { json, parse, readJson, withSession } from "@/lib/api";
import { db } from "@/lib/db";

export const GET = withSession(async (_request, session) => json(await listPlans(db, session.user.id)));

export const POST = withSession(async (request, session) => {
  const body = parse(createPlanBody, await readJson(request), "plan");
  return json(await createPlan(db, session.user.id, body), 201);
});
