import { snoozeAlert, unsnoozeAlert } from "@pulseboard/schema/queries/alert-actions";
import { snoozeBody } from "@/lib/alert-actions";
import { idParam, json, parse, readJson, withSession } from "@/lib/api";
import { db } from "@/lib/db";

/** Holds the alert's notices until a time or until it resolves (evaluation goes on). */
export const POST = withSession<{ id: string }>(async (request, session, params) => {
  const body = parse(snoozeBody, await readJson(request), "snooze");
  const action = await snoozeAlert(db, session.user.id, idParam(params.id, "alert"), {
    actorId: session.user.id,
    until: "until" in body ? body.until : null,
    note: body.note,
  });
  return json(action, 201);
});

/** Ends the snooze; held notices go at the alerter's next sweep. */
export const DELETE = withSession<{ id: string }>(async (_request, session, params) => {
  const action = await unsnoozeAlert(db, session.user.id, idParam(params.id, "alert"), {
    actorId: session.user.id,
  });
  return json(action);
});
