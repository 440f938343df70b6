import { createReplyBody } from "@pulseboard/schema/community";
import { createReply } from "@pulseboard/schema/queries/community-replies";
import { idParam, json, parse, readJson, withSession } from "@/lib/api";
import { checkLinkBrake, countAction } from "@/lib/community";
import { db } from "@/lib/db";

/** Replies to an open thread (409 when it is locked). */
export const POST = withSession<{ id: string }>(async (request, session, params) => {
  const id = idParam(params.id, "thread");
  const body = parse(createReplyBody, await readJson(request), "reply");
  await checkLinkBrake(session.user.id, body.body);
  await countAction(session.user.id, "reply");
  return json(await createReply(db, session.user.id, id, body.body), 201);
});
