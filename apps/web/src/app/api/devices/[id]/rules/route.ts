import { createRule, listRules } from "@pulseboard/schema/queries/rules";
import { createRuleBody } from "@pulseboard/schema/telemetry";
import { idParam, json, notFound, parse, readJson, withSession } from "@/lib/api";
import { db } from "@/lib/db";

export const GET = withSession<{ id: string }>(async (_request, session, params) => {
  const rules = await listRules(db, session.user.id, idParam(params.id, "device"));
  if (!rules) throw notFound("device not found");
  return json(rules);
});

export const POST = withSession<{ id: string }>(async (request, session, params) => {
  const id = idParam(params.id, "device");
  const body = parse(createRuleBody, await readJson(request), "rule");
  const rule = await createRule(db, session.user.id, id, body);
  if (!rule) throw notFound("device not found");
  return json(rule, 201);
});
