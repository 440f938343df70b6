import { acknowledgeAlert } from "@pulseboard/schema/queries/alert-actions";
import { acknowledgeBody } from "@/lib/alert-actions";
import { idParam, json, parse, readJson, withSession } from "@/lib/api";
import { db } from "@/lib/db";

/** "I'm on it": a firing alert, once; it will not escalate. 409 when resolved or acknowledged. */
export const POST = withSession<{ id: string }>(async (request, session, params) => {
  const body = parse(acknowledgeBody, await readJson(request), "acknowledgement");
  const action = await acknowledgeAlert(db, session.user.id, idParam(params.id, "alert"), {
    actorId: session.user.id,
    note: body.note,
  });
  return json(action, 201);
});
