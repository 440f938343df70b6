import { deleteRule, updateRule } from "@pulseboard/schema/queries/rules";
import { createRuleBody } from "@pulseboard/schema/telemetry";
import { idParam, json, notFound, parse, readJson, withSession } from "@/lib/api";
import { db } from "@/lib/db";
import { ruleWarnings } from "@/lib/rule-warnings";

/** Replaces the rule's definition: every field, as when creating it. */
export const PUT = withSession<{ id: string }>(async (request, session, params) => {
  const id = idParam(params.id, "rule");
  const body = parse(createRuleBody, await readJson(request), "rule");
  const rule = await updateRule(db, session.user.id, id, body);
  return json({ ...rule, warnings: await ruleWarnings(db, session.user.id, rule) });
});

export const DELETE = withSession<{ id: string }>(async (_request, session, params) => {
  if (!(await deleteRule(db, session.user.id, idParam(params.id, "rule")))) throw notFound("rule not found");
  return new Response(null, { status: 204 });
});
