// Community threads: a category's listing (keyset-paginated), one thread with its replies,
// starting one (with its opening post), moderation. Readable by anyone; who may write is the
// caller's check (a session), who may moderate is isModerator's (community-moderators.ts).
import type { Database } from "../client";
import { NotFoundError } from "../errors";
import type { CreateThreadBody, ModerateThreadBody, ThreadStatus } from "../schema/community";

export interface ThreadSummary {
  id: string;
  title: string;
  status: ThreadStatus;
  isPinned: boolean;
  authorId: string;
  authorName: string;
  createdAt: Date;
  lastActivityAt: Date;
  replyCount: number;
}

/** Where the next page starts: the last row's listing key. */
export interface ThreadCursor {
  isPinned: boolean;
  lastActivityAt: string;
  id: string;
}

export function encodeCursor(c: ThreadCursor): string {
  return Buffer.from(JSON.stringify([c.isPinned, c.lastActivityAt, c.id])).toString("base64url");
}

/** The cursor in a `cursor` parameter; undefined when it is not one of ours. */
export function decodeCursor(value: string): ThreadCursor | undefined {
  try {
    const [isPinned, lastActivityAt, id] = JSON.parse(Buffer.from(value, "base64url").toString("utf8"));
    if (typeof isPinned !== "boolean" || typeof lastActivityAt !== "string" || typeof id !== "string") return;
    // Exactly what listThreads writes (to_char, microseconds, UTC): anything else is not ours.
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/.test(lastActivityAt)) return;
    if (!Number.isFinite(Date.parse(lastActivityAt))) return;
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return;
    return { isPinned, lastActivityAt, id };
  } catch {
    return;
  }
}

const summaryColumns = (sql: Database["$client"]) => sql`
  t.id, t.title, t.status, t.is_pinned as "isPinned", t.author_id as "authorId", u.name as "authorName",
  t.created_at as "createdAt", t.last_activity_at as "lastActivityAt", t.reply_count as "replyCount"`;

/**
 * A category's threads: pinned first, then by latest activity (newest first), `limit` at a time.
 * Keyset pagination on (is_pinned, last_activity_at, id): a page starts after the cursor's row,
 * so new threads never shift a page; a thread bumped by a reply while someone pages moves to the
 * top, and may then be seen twice or, if it was ahead of the cursor, missed until the first page.
 */
export async function listThreads(
  db: Database,
  categoryId: string,
  options: { cursor?: ThreadCursor | undefined; limit?: number } = {},
): Promise<{ threads: ThreadSummary[]; nextCursor: string | null }> {
  const sql = db.$client;
  const limit = Math.min(Math.max(options.limit ?? 25, 1), 100);
  const c = options.cursor;
  // Row comparison: every key is descending, so "after the cursor" is "less than it".
  const rows = await sql<(ThreadSummary & { lastActivityKey: string })[]>`
    select ${summaryColumns(sql)},
           to_char(t.last_activity_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as "lastActivityKey"
    from threads t join "user" u on u.id = t.author_id
    where t.category_id = ${categoryId}
      ${c ? sql`and (t.is_pinned, t.last_activity_at, t.id) < (${c.isPinned}, ${c.lastActivityAt}::timestamptz, ${c.id}::uuid)` : sql``}
    -- "nulls last" as the listing index is built (drizzle's desc), so the index gives this order
    -- (the columns are not null: the order is the same); without it every thread is sorted.
    order by t.is_pinned desc nulls last, t.last_activity_at desc nulls last, t.id desc nulls last
    limit ${limit + 1}`;
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  const nextCursor =
    rows.length > limit && last
      ? encodeCursor({ isPinned: last.isPinned, lastActivityAt: last.lastActivityKey, id: last.id })
      : null;
  return { threads: page.map(({ lastActivityKey: _, ...t }) => t), nextCursor };
}

export interface ThreadDetail extends ThreadSummary {
  categoryId: string;
  categorySlug: string;
  categoryName: string;
}

/** One thread with its category; undefined when there is none. */
export async function getThread(db: Database, threadId: string): Promise<ThreadDetail | undefined> {
  const sql = db.$client;
  const [row] = await sql<ThreadDetail[]>`
    select ${summaryColumns(sql)}, c.id as "categoryId", c.slug as "categorySlug", c.name as "categoryName"
    from threads t join "user" u on u.id = t.author_id join categories c on c.id = t.category_id
    where t.id = ${threadId}`;
  return row;
}

/**
 * Starts a thread in the category, its opening post (the first reply) in the same transaction,
 * carrying `snapshot` when the author shared one. NotFoundError when the category is not there.
 */
export async function createThread(
  db: Database,
  authorId: string,
  categoryId: string,
  body: CreateThreadBody,
  snapshot: unknown = null,
): Promise<{ id: string; openingReplyId: string }> {
  return db.$client.begin(async (sql) => {
    const [thread] = await sql<{ id: string; created_at: Date }[]>`
      insert into threads (category_id, author_id, title)
      select c.id, ${authorId}, ${body.title} from categories c where c.id = ${categoryId}
      returning id, created_at`;
    if (!thread) throw new NotFoundError("category not found", { field: "categoryId" });
    const [reply] = await sql<{ id: string }[]>`
      insert into thread_replies (thread_id, author_id, body, created_at, snapshot)
      values (${thread.id}, ${authorId}, ${body.body}, ${thread.created_at}, ${snapshot === null ? null : JSON.stringify(snapshot)}::jsonb)
      returning id`;
    if (!reply) throw new Error("the opening post was not created");
    return { id: thread.id, openingReplyId: reply.id };
  });
}

/** Locks or unlocks, pins or unpins a thread (the caller checked the role); NotFoundError if none. */
export async function moderateThread(
  db: Database,
  threadId: string,
  changes: ModerateThreadBody,
): Promise<{ id: string; status: ThreadStatus; isPinned: boolean }> {
  const sql = db.$client;
  const [row] = await sql<{ id: string; status: ThreadStatus; isPinned: boolean }[]>`
    update threads set
      status = coalesce(${changes.status ?? null}, status),
      is_pinned = coalesce(${changes.isPinned ?? null}::boolean, is_pinned)
    where id = ${threadId}
    returning id, status, is_pinned as "isPinned"`;
  if (!row) throw new NotFoundError("thread not found", { field: "threadId" });
  return row;
}
