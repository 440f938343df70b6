// Full-text search over the community: thread titles and reply bodies (generated tsvector columns
// with GIN indexes, migration 0019), ranked within the top matches.
import type { Database } from "../client";

export interface SearchHit {
  threadId: string;
  title: string;
  categorySlug: string;
  categoryName: string;
  replyCount: number;
  lastActivityAt: Date;
  /** A piece of the best-matching text, the matches wrapped in «…» (plain text, not HTML). */
  excerpt: string;
  rank: number;
}

/**
 * Threads matching `query` (web-search syntax: words, "phrases", -not, or), best first. The index
 * finds at most `candidates` matching titles and as many matching replies (a common word matches
 * a large part of the forum: ranking all of them would read every one); those are ranked (a title
 * match weighs more), grouped by thread, and the best `limit` threads returned.
 */
export async function searchCommunity(
  db: Database,
  query: string,
  options: { limit?: number; candidates?: number } = {},
): Promise<SearchHit[]> {
  const limit = Math.min(options.limit ?? 20, 50);
  const candidates = options.candidates ?? 1000;
  return db.$client<SearchHit[]>`
    with q as (select websearch_to_tsquery('english', ${query}) as query),
    -- The query written out in each WHERE (not only taken from q): so the planner sees how common
    -- the words are and, for a common one, scans until it has the candidates instead of
    -- collecting every match from the index first. (No prepared statements: each search is
    -- planned for its own words.)
    title_hits as (
      select t.id as thread_id, null::uuid as reply_id, ts_rank(t.search, q.query) * 2 as rank
      from threads t, q where t.search @@ websearch_to_tsquery('english', ${query})
      limit ${candidates}
    ),
    reply_hits as (
      select r.thread_id, r.id as reply_id, ts_rank(r.search, q.query) as rank
      from thread_replies r, q where r.search @@ websearch_to_tsquery('english', ${query})
      limit ${candidates}
    ),
    best as (
      select distinct on (thread_id) thread_id, reply_id, rank
      from (select * from title_hits union all select * from reply_hits) h
      order by thread_id, rank desc
    ),
    top as (select * from best order by rank desc, thread_id limit ${limit})
    select t.id as "threadId", t.title, c.slug as "categorySlug", c.name as "categoryName",
           t.reply_count as "replyCount", t.last_activity_at as "lastActivityAt", top.rank::float8 as rank,
           ts_headline('english', coalesce(r.body, t.title), q.query,
                       'StartSel=«, StopSel=», MaxWords=30, MinWords=10, MaxFragments=1') as excerpt
    from top
    join threads t on t.id = top.thread_id
    join categories c on c.id = t.category_id
    left join thread_replies r on r.id = top.reply_id
    cross join q
    order by top.rank desc, t.id`;
}
