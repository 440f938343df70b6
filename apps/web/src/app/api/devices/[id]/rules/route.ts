import { createRule, listRules } from "@pulseboard/schema/queries/rules";
import { createRuleBody } from "@pulseboard/schema/telemetry";
import { idParam, json, parse, readJson, withSession } from "@/lib/api";
import { db } from "@/lib/db";
import { ruleWarnings } from "@/lib/rule-warnings";

export const GET = withSession<{ id: string }>(async (_request, session, params) => {
  return json(await listRules(db, session.user.id, idParam(params.id, "device")));
});

/** Creates the rule; `warnings` says what looks wrong without refusing it (a metric never seen). */
export const POST = withSession<{ id: string }>(async (request, session, params) => {
  const id = idParam(params.id, "device");
  const body = parse(createRuleBody, await readJson(request), "rule");
  const rule = await createRule(db, session.user.id, id, body);
  return json({ ...rule, warnings: await ruleWarnings(db, session.user.id, rule) }, 201);
});
