import { voteBody } from "@pulseboard/schema/community";
import { voteOnReply } from "@pulseboard/schema/queries/community-replies";
import { idParam, json, parse, readJson, withSession } from "@/lib/api";
import { countAction } from "@/lib/community";
import { db } from "@/lib/db";

/** The reader's vote on a reply: 1, -1, or 0 to take it back. Answers the reply's new score. */
export const PUT = withSession<{ id: string }>(async (request, session, params) => {
  const id = idParam(params.id, "reply");
  const { value } = parse(voteBody, await readJson(request), "vote");
  await countAction(session.user.id, "vote");
  return json(await voteOnReply(db, session.user.id, id, value));
});
