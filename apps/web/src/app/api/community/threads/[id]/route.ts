import { moderateThreadBody, threadPageQuery } from "@pulseboard/schema/community";
import { ForbiddenError } from "@pulseboard/schema/errors";
import { listReplies, REPLIES_PER_PAGE } from "@pulseboard/schema/queries/community-replies";
import { getThread, moderateThread } from "@pulseboard/schema/queries/community-threads";
import {
  idParam,
  json,
  notFound,
  parse,
  readJson,
  searchParams,
  withOptionalSession,
  withSession,
} from "@/lib/api";
import { moderates } from "@/lib/community";
import { renderPost } from "@/lib/community-markdown";
import { db } from "@/lib/db";

/** A thread and its replies in order, each with its score, rendered body and the reader's vote. */
export const GET = withOptionalSession<{ id: string }>(async (request, session, params) => {
  const id = idParam(params.id, "thread");
  const { page } = parse(threadPageQuery, searchParams(request), "query");
  const thread = await getThread(db, id);
  if (!thread) throw notFound("thread not found");
  const replies = await listReplies(db, id, session?.user.id ?? null, page);
  return json({
    ...thread,
    page,
    pages: Math.max(1, Math.ceil(thread.replyCount / REPLIES_PER_PAGE)),
    replies: replies.map((r) => ({ ...r, bodyHtml: renderPost(r.body) })),
  });
});

/** Lock or unlock, pin or unpin: moderators only. */
export const PATCH = withSession<{ id: string }>(async (request, session, params) => {
  const id = idParam(params.id, "thread");
  if (!(await moderates(session))) throw new ForbiddenError("only moderators lock or pin threads");
  const body = parse(moderateThreadBody, await readJson(request), "moderation");
  return json(await moderateThread(db, id, body));
});
