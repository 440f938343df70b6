import { deleteReply } from "@pulseboard/schema/queries/community-replies";
import { idParam, json, withSession } from "@/lib/api";
import { moderates } from "@/lib/community";
import { db } from "@/lib/db";

/**
 * Deletes a reply: its author's own, any as a moderator. The opening post takes its thread with
 * it (its author may, only while nobody else replied).
 */
export const DELETE = withSession<{ id: string }>(async (_request, session, params) => {
  const id = idParam(params.id, "reply");
  return json(await deleteReply(db, session.user.id, id, { moderator: await moderates(session) }));
});
