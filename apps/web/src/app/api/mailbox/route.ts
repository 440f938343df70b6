import { listLocalMail } from "@pulseboard/schema/queries/local-mailbox";
import { env } from "@/env";
import { json, notFound, withSession } from "@/lib/api";
import { db } from "@/lib/db";

/** The local sink's mail to the signed-in user's address (only with LOCAL_MAILBOX). */
export const GET = withSession(async (_request, session) => {
  if (!env.LOCAL_MAILBOX) throw notFound("there is no local mailbox on this server");
  return json(await listLocalMail(db, session.user.id));
});
