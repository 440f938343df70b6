import { createRule, listRules } from "@pulseboard/schema/queries/rules";
import { createRuleBody } from "@pulseboard/schema/telemetry";
import { idParam, json, parse, readJson, withSession } from "@/lib/api";
import { db } from "@/lib/db";

export const GET = withSession<{ id: string }>(async (_request, session, params) => {
  return json(await listRules(db, session.user.id, idParam(params.id, "device")));
});

export const POST = withSession<{ id: string }>(async (request, session, params) => {
  const id = idParam(params.id, "device");
  const body = parse(createRuleBody, await readJson(request), "rule");
  return json(await createRule(db, session.user.id, id, body), 201);
});
