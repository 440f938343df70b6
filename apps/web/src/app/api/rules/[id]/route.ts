import { deleteRule } from "@pulseboard/schema/queries/rules";
import { idParam, notFound, withSession } from "@/lib/api";
import { db } from "@/lib/db";

export const DELETE = withSession<{ id: string }>(async (_request, session, params) => {
  if (!(await deleteRule(db, session.user.id, idParam(params.id, "rule")))) throw notFound("rule not found");
  return new Response(null, { status: 204 });
});
