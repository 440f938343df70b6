// Replies and votes. A locked thread takes neither (ConflictError); votes are one per (reply,
// voter) by the unique constraint, and a reply's score is kept by a trigger (migration 0020).
import type { Database } from "../client";
import { ConflictError, ForbiddenError, NotFoundError } from "../errors";
import { COMMUNITY_CHANNEL } from "../live";

export interface ReplyView {
  id: string;
  authorId: string;
  authorName: string;
  body: string;
  createdAt: Date;
  score: number;
  snapshot: unknown;
  /** The viewer's own vote: 1, -1, or 0 (none, or no viewer). */
  myVote: number;
}

const LOCKED = "this thread is locked: it takes no new replies or votes";

/** Replies a thread page shows at most (pages of them beyond). */
export const REPLIES_PER_PAGE = 200;

/**
 * A thread's replies in order (the opening post first), with the viewer's votes: page `page`
 * (1-based) of REPLIES_PER_PAGE. Offset paging: a thread's posts only ever grow at the end.
 */
export function listReplies(
  db: Database,
  threadId: string,
  viewerId: string | null,
  page = 1,
): Promise<ReplyView[]> {
  const sql = db.$client;
  const offset = (Math.max(1, Math.floor(page)) - 1) * REPLIES_PER_PAGE;
  return sql<ReplyView[]>`
    select r.id, r.author_id as "authorId", u.name as "authorName", r.body, r.created_at as "createdAt",
           r.score, r.snapshot, coalesce(v.value, 0) as "myVote"
    from thread_replies r
    join "user" u on u.id = r.author_id
    left join reply_votes v on v.reply_id = r.id and v.voter_id = ${viewerId}
    where r.thread_id = ${threadId}
    order by r.created_at, r.id
    offset ${offset} limit ${REPLIES_PER_PAGE}`;
}

/** Why a write to a thread found nothing: it is not there (NotFound) or it is locked (Conflict). */
async function explainThread(sql: Database["$client"], threadId: string): Promise<never> {
  const [thread] = await sql<{ status: string }[]>`select status from threads where id = ${threadId}`;
  if (!thread) throw new NotFoundError("thread not found", { field: "threadId" });
  throw new ConflictError(LOCKED);
}

/**
 * Replies to an open thread, carrying `snapshot` when the author shared one. The thread's row is
 * locked for the insert (as the reply-count trigger would lock it anyway), so a reply and a
 * moderator's lock take turns: a reply either lands before the lock or is refused after it.
 */
export async function createReply(
  db: Database,
  authorId: string,
  threadId: string,
  body: string,
  snapshot: unknown = null,
): Promise<{ id: string; threadId: string; createdAt: Date }> {
  const row = await db.$client.begin(async (sql) => {
    const [inserted] = await sql<{ id: string; threadId: string; createdAt: Date }[]>`
      with open_thread as (
        select id from threads where id = ${threadId} and status = 'open' for no key update
      )
      insert into thread_replies (thread_id, author_id, body, snapshot)
      select id, ${authorId}, ${body}, ${snapshot === null ? null : JSON.stringify(snapshot)}::jsonb from open_thread
      returning id, thread_id as "threadId", created_at as "createdAt"`;
    // Readers of the thread hear of it at commit (ids only: the page reads the reply itself).
    if (inserted)
      await sql`select pg_notify(${COMMUNITY_CHANNEL}, ${JSON.stringify({ t: inserted.threadId, r: inserted.id })})`;
    return inserted;
  });
  if (!row) return explainThread(db.$client, threadId);
  return row;
}

/**
 * The voter's vote on a reply: 1 or -1 (a second vote replaces the first), 0 takes it back. One
 * row per (reply, voter) whatever the concurrency (the unique constraint decides). Returns the
 * reply's score after it. Not on one's own reply (ForbiddenError), not in a locked thread
 * (ConflictError).
 */
export async function voteOnReply(
  db: Database,
  voterId: string,
  replyId: string,
  value: -1 | 0 | 1,
): Promise<{ score: number; myVote: number }> {
  return db.$client.begin(async (sql) => {
    const [reply] = await sql<{ author_id: string; thread_id: string; status: string }[]>`
      select r.author_id, r.thread_id, t.status
      from thread_replies r join threads t on t.id = r.thread_id
      where r.id = ${replyId}
      for share of t`;
    // (The thread's row shared: a moderator's lock waits for this vote, or this vote sees it.)
    if (!reply) throw new NotFoundError("reply not found", { field: "replyId" });
    if (reply.status !== "open") throw new ConflictError(LOCKED);
    if (reply.author_id === voterId) throw new ForbiddenError("you cannot vote on your own reply");
    if (value === 0) {
      await sql`delete from reply_votes where reply_id = ${replyId} and voter_id = ${voterId}`;
    } else {
      await sql`
        insert into reply_votes (reply_id, voter_id, value) values (${replyId}, ${voterId}, ${value})
        on conflict (reply_id, voter_id) do update set value = excluded.value`;
    }
    const [after] = await sql<{ score: number }[]>`select score from thread_replies where id = ${replyId}`;
    return { score: after?.score ?? 0, myVote: value };
  });
}

/**
 * Deletes a reply: its author's own, or any as a moderator. The opening post goes with its
 * thread: its author may delete it only while nobody else has replied; a moderator, always.
 * Returns what went.
 */
export async function deleteReply(
  db: Database,
  userId: string,
  replyId: string,
  options: { moderator: boolean },
): Promise<{ deleted: "reply" | "thread"; threadId: string }> {
  return db.$client.begin(async (sql) => {
    const [reply] = await sql<{ author_id: string; thread_id: string; opening: boolean; others: number }[]>`
      select r.author_id, r.thread_id,
             r.id = (select o.id from thread_replies o where o.thread_id = r.thread_id
                     order by o.created_at, o.id limit 1) as opening,
             t.reply_count - 1 as others
      from thread_replies r join threads t on t.id = r.thread_id
      where r.id = ${replyId}
      for no key update of t`;
    if (!reply) throw new NotFoundError("reply not found", { field: "replyId" });
    if (!options.moderator && reply.author_id !== userId)
      throw new ForbiddenError("only its author or a moderator may delete a reply");
    if (reply.opening) {
      if (!options.moderator && reply.others > 0)
        throw new ConflictError("the opening post stays once others have replied");
      await sql`
        delete from threads where id = ${reply.thread_id} and (${options.moderator} or author_id = ${userId})`;
      return { deleted: "thread" as const, threadId: reply.thread_id };
    }
    // (Who may delete, checked above, is in the statement too.)
    await sql`delete from thread_replies where id = ${replyId} and (${options.moderator} or author_id = ${userId})`;
    return { deleted: "reply" as const, threadId: reply.thread_id };
  });
}
