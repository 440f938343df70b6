// The community's abuse limits: per user and action, a fixed window counted by one atomic upsert
// (community_rate_windows), and the account's age for the new-account link brake.
import type { Database } from "../client";
import { RateLimitedError } from "../errors";
import type { CommunityAction } from "../schema/community";

const WHAT: Record<CommunityAction, string> = { thread: "new threads", reply: "replies", vote: "votes" };

/**
 * Counts one `action` by the user in the current window (`windowSeconds` long, started by the
 * first action after the last window ended); RateLimitedError, saying when the window ends, once
 * the count passes `limit`. Concurrent calls each count (the row is their lock).
 */
export async function countCommunityAction(
  db: Database,
  userId: string,
  action: CommunityAction,
  limit: { max: number; windowSeconds: number },
): Promise<void> {
  const [row] = await db.$client<{ count: number; retry_after: number }[]>`
    insert into community_rate_windows as w (user_id, action, window_start, count)
    values (${userId}, ${action}, now(), 1)
    on conflict (user_id, action) do update set
      count = case when w.window_start <= now() - make_interval(secs => ${limit.windowSeconds}) then 1 else w.count + 1 end,
      window_start = case when w.window_start <= now() - make_interval(secs => ${limit.windowSeconds}) then now() else w.window_start end
    returning count,
      extract(epoch from window_start + make_interval(secs => ${limit.windowSeconds}) - now())::float8 as retry_after`;
  if (row && row.count > limit.max)
    throw new RateLimitedError(
      `too many ${WHAT[action]}: at most ${limit.max} per ${limit.windowSeconds >= 3600 ? `${limit.windowSeconds / 3600} h` : `${limit.windowSeconds / 60} min`}; try again later`,
      { retryAfterSeconds: row.retry_after },
    );
}

/** How long ago the user's account was made, in seconds (Infinity when there is no such user). */
export async function accountAgeSeconds(db: Database, userId: string): Promise<number> {
  const [row] = await db.$client<{ age: number }[]>`
    select extract(epoch from now() - created_at)::float8 as age from "user" where id = ${userId}`;
  return row?.age ?? Number.POSITIVE_INFINITY;
}
