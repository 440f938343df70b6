// The community in the benches' shared data (issue 17's bench), generated in SQL into the template
// database (./bench-data.ts) once, laid out as a forum's real use writes it:
// - `users` members (signed up over the month before the forum's year), `categories` categories of
//   unequal size (a quarter of the threads in the largest);
// - `threads` threads started over the year before the build, one after the other in time, each in
//   a category drawn by the categories' weights, by an author drawn with a skew (a few members
//   start many); `pinnedPerCategory` pinned in each category, about 1 % locked;
// - `replies` posts, each thread's opening post first (at the thread's start, by its author); the
//   others' counts per thread are skewed (log-normal: most threads a handful, some hundreds, none
//   over 900), their times spread after the thread's start (most within days, some much later),
//   and all of them inserted in time order across threads, as they would be written; one known
//   "bench thread" (started ~55 days before the end) has exactly `benchThreadReplies` posts;
// - `votes` votes, each by a member other than the reply's author, distinct per reply (one per
//   (reply, voter), as the unique constraint wants), counts per reply skewed (opening posts more),
//   88 % up, cast after the reply, inserted in time order;
// - bodies and titles drawn from a word list (sentences of it), so search meets a rare term
//   (`zeppelin`: 5 replies and 1 title), a medium one (`thermocouple`: 2,500 replies, 500 titles)
//   and a common one (`battery`: 200,000 replies, 10,000 titles).
// The rows are inserted with the counter triggers off (session_replication_role = replica, else
// ALTER TABLE … DISABLE TRIGGER; in one transaction, so a cut-short build leaves nothing); each
// reply's score is set as it is inserted from the votes planned for it, and the threads' reply
// counts and last activity and the categories' thread counts and last activity are computed in bulk
// (UPDATE … FROM (… GROUP BY)). Every stored figure is then checked against what the triggers
// would keep (the build fails otherwise). The caller runs VACUUM (ANALYZE) after the commit.
import { createPooledClient } from "@pulseboard/schema/client";
import type postgres from "postgres";
import { fmtInt, progress } from "./bench";

/** Bumped whenever the generator writes different community data for the same parameters. */
export const COMMUNITY_GENERATOR_VERSION = 1;

export interface CommunityDataParams {
  users: number;
  threads: number;
  /** Posts, the opening posts included. */
  replies: number;
  votes: number;
  /** The forum's span, ending at the build. */
  days: number;
  pinnedPerCategory: number;
  /** Posts in the bench thread (its reply count, the opening post included). */
  benchThreadReplies: number;
}

export const COMMUNITY_DATA: CommunityDataParams = {
  users: 20_000,
  threads: 100_000,
  replies: 1_000_000,
  votes: 3_000_000,
  days: 365,
  pinnedPerCategory: 3,
  benchThreadReplies: 100,
};

/** The categories, their share of the threads (summing to 1) in list order. */
const CATEGORIES = [
  { slug: "general", name: "General", description: "Anything about Pulseboard.", weight: 0.26 },
  { slug: "sensors", name: "Sensors", description: "Devices, wiring and readings.", weight: 0.18 },
  { slug: "dashboards", name: "Dashboards", description: "Charts and what they show.", weight: 0.13 },
  { slug: "alerts", name: "Alerts", description: "Rules, notifications, quiet hours.", weight: 0.11 },
  { slug: "training", name: "Training", description: "Plans, workouts and progress.", weight: 0.1 },
  { slug: "nutrition", name: "Nutrition", description: "Food, sleep and recovery.", weight: 0.08 },
  { slug: "hardware", name: "Hardware", description: "Boards, enclosures, power.", weight: 0.08 },
  { slug: "off-topic", name: "Off topic", description: "Everything else.", weight: 0.06 },
];

/** The search terms and how they are planted (replies by their time-order number, threads by theirs). */
export const COMMUNITY_TERMS = {
  rare: { term: "zeppelin", sentence: "Has anyone mounted a sensor on a zeppelin?" },
  medium: { term: "thermocouple", sentence: "The thermocouple reads two degrees high." },
  common: { term: "battery", sentence: "The battery lasts about a week." },
} as const;
export type CommunityTermKind = keyof typeof COMMUNITY_TERMS;

// Ordinary forum words (none of them stems to a search term); stop words keep sentences natural.
const WORDS = `the the the a a a and and to to of of in in is is it it for for on on with with
that this my your i i you we have has was be can not but if or so at from just what when how
sensor sensors reading readings device devices chart charts dashboard alert alerts rule rules
temperature humidity pressure co2 value values minute hour day week month year time window
workout workouts plan plans set sets rep reps squat deadlift bench press run running ride
heart rate pace zone zones sleep recovery protein meal progress goal goals weight weights
board wifi mqtt firmware update network signal cable power supply enclosure mount wall room
kitchen garage garden office window door fan heater radiator boiler fridge freezer greenhouse
graph line spike drop noise offset drift calibration calibrate average minimum maximum trend
export import api key keys token account login page screen phone tablet browser app
setting settings notification notifications email quiet hours threshold delay interval
works working broke broken fixed fix issue problem question answer idea thanks help
great good bad better worse fast slow high low stable odd strange simple easy hard
morning evening night today yesterday tomorrow weekend since after before during again
check checked try tried use used using see saw show shows look looks think thought
new old first last next long short small large more less much many few every other
open close closed start started stop stopped restart reset install installed configure
data point points series history log logs backup storage disk memory cpu server cloud
coach athlete session sessions interval intervals sprint tempo easy recovery stretch core
legs arms back shoulders chest grip form technique coach injury rest deload block cycle`
  .split(/\s+/)
  .filter(Boolean);

export interface CommunityTermInfo {
  term: string;
  /** Matching titles and replies (as `websearch_to_tsquery('english', term)` finds them). */
  titles: number;
  replies: number;
}

export interface CommunityDataInfo {
  version: number;
  params: CommunityDataParams;
  /** The forum's span [from, end). */
  from: string;
  end: string;
  categories: { slug: string; name: string; threads: number }[];
  benchThread: { id: string; title: string; categorySlug: string; replies: number };
  terms: Record<CommunityTermKind, CommunityTermInfo>;
  rows: {
    users: number;
    categories: number;
    threads: number;
    replies: number;
    votes: number;
    pinned: number;
    locked: number;
    /** Posts per thread: median, 90th percentile, 99th, most. */
    repliesPerThread: { p50: number; p90: number; p99: number; max: number };
  };
  /** How the counter triggers were kept off for the bulk insert. */
  triggersOff: string;
  /** Seconds the fill (without VACUUM) took. */
  fillSeconds: number;
  /** VACUUM (ANALYZE) done after the fill (and its seconds). */
  vacuumed: boolean;
  vacuumSeconds?: number;
}

const TRIGGERS = [
  { table: "threads", name: "community_thread_counts" },
  { table: "thread_replies", name: "community_reply_counts" },
  { table: "reply_votes", name: "community_reply_score" },
];

/** The community tables the fill writes (VACUUM (ANALYZE) them after it). */
export const COMMUNITY_TABLES = ['"user"', "categories", "threads", "thread_replies", "reply_votes"];

/**
 * Fills the community into the database at `url` (migrated), over [end - days, end), in one
 * transaction; any community rows already there (an older generator's) are removed first.
 */
export async function fillCommunity(
  url: string,
  params: CommunityDataParams,
  end: Date,
): Promise<CommunityDataInfo> {
  const began = performance.now();
  const sec = () => ((performance.now() - began) / 1000).toFixed(1);
  const from = new Date(end.getTime() - params.days * 86_400_000);
  const sql = createPooledClient(url, { max: 1, applicationName: "pulseboard-bench-community" });
  try {
    progress(
      `community data: ${fmtInt(params.threads)} threads, ${fmtInt(params.replies)} posts, ${fmtInt(params.votes)} votes by ${fmtInt(params.users)} members over ${params.days} days to ${end.toISOString()}`,
    );
    const info = await sql.begin(async (tx) => {
      const triggersOff = await triggersOffForTransaction(tx);
      await tx`set local work_mem = '256MB'`;
      await tx`select setseed(0.17)`;
      await tx.unsafe(
        `truncate reply_votes, thread_replies, threads, categories, community_moderators, community_rate_windows`,
      );
      await tx`delete from "user" where email like '%@community.bench.local'`;
      const plan = await planCommunity(tx, params, from, end);
      progress(`community data: planned in ${sec()} s`);

      await tx`
        insert into "user" (id, name, email, email_verified, created_at, updated_at)
        select u.id, 'Member ' || u.n, 'member' || u.n || '@community.bench.local', true, j.at, j.at
        from cb_users u
        cross join lateral (select ${from.toISOString()}::timestamptz - interval '30 days'
                                   + (u.n::float8 / ${params.users}) * interval '30 days' as at) j
        order by u.n`;
      await tx`
        insert into categories (id, slug, name, description, position, created_at)
        select c.id, c.slug, c.name, c.description, c.k, ${from.toISOString()}::timestamptz - interval '1 day'
        from cb_categories c order by c.k`;
      await tx`
        insert into threads (id, category_id, author_id, title, status, is_pinned, created_at, last_activity_at, reply_count)
        select t.id, c.id, u.id, t.title, t.status, t.is_pinned, t.created_at, t.created_at, 0
        from cb_threads t join cb_categories c on c.k = t.category join cb_users u on u.n = t.author
        order by t.n`;
      progress(
        `community data: ${fmtInt(params.users)} members, ${CATEGORIES.length} categories, ${fmtInt(params.threads)} threads in ${sec()} s`,
      );

      // Posts in time order, in chunks (each sorted by its time-order number).
      const S = plan.sentences;
      const chunk = 100_000;
      for (let lo = 1; lo <= params.replies; lo += chunk) {
        const hi = Math.min(params.replies, lo + chunk - 1);
        await tx`
          insert into thread_replies (id, thread_id, author_id, body, created_at, score)
          select r.id, t.id, u.id,
                 b.body
                 || case when r.seq % 199999 = 12345 then ${` ${COMMUNITY_TERMS.rare.sentence}`} else '' end
                 || case when r.seq % 400 = 7 then ${` ${COMMUNITY_TERMS.medium.sentence}`} else '' end
                 || case when r.seq % 5 = 1 then ${` ${COMMUNITY_TERMS.common.sentence}`} else '' end,
                 r.created_at, coalesce(s.score, 0)
          from cb_replies r
          join cb_threads t on t.n = r.thread_n
          join cb_users u on u.n = r.author
          left join cb_scores s on s.id = r.id
          cross join lateral (
            select string_agg(x.body, ' ' order by g.i) as body
            from generate_series(1, r.nsent) g(i)
            join cb_sentences x on x.k = mod(hashint8(r.seq::bigint * 16 + g.i)::bigint + 2147483648, ${S})
          ) b
          where r.seq between ${lo} and ${hi}
          order by r.seq`;
        if (hi % 500_000 === 0 || hi === params.replies)
          progress(`community data: ${fmtInt(hi)} posts in ${sec()} s`);
      }

      // Votes in time order, in chunks.
      const voteChunk = 500_000;
      for (let lo = 1; lo <= params.votes; lo += voteChunk) {
        const hi = Math.min(params.votes, lo + voteChunk - 1);
        await tx`
          insert into reply_votes (reply_id, voter_id, value, created_at)
          select v.reply_id, u.id, v.value, v.at
          from cb_votes v join cb_users u on u.n = v.voter
          where v.seq between ${lo} and ${hi}
          order by v.seq`;
        if (hi % 1_000_000 === 0 || hi === params.votes)
          progress(`community data: ${fmtInt(hi)} votes in ${sec()} s`);
      }

      // The counters, as the triggers keep them.
      await tx`
        update threads t set reply_count = s.n, last_activity_at = greatest(t.last_activity_at, s.last)
        from (select thread_id, count(*)::int as n, max(created_at) as last from thread_replies group by thread_id) s
        where s.thread_id = t.id`;
      await tx`
        update categories c set thread_count = s.n, last_activity_at = s.last
        from (select category_id, count(*)::int as n, max(last_activity_at) as last from threads group by category_id) s
        where s.category_id = c.id`;
      await checkCounters(tx);
      progress(`community data: counters computed and checked in ${sec()} s`);
      await restoreTriggers(tx, triggersOff);

      const info = await describeFill(tx, params, plan.benchThreadId);
      return { ...info, triggersOff };
    });
    const fillSeconds = Math.round((performance.now() - began) / 1000);
    progress(`community data: committed in ${fillSeconds} s`);
    return {
      version: COMMUNITY_GENERATOR_VERSION,
      params,
      from: from.toISOString(),
      end: end.toISOString(),
      ...info,
      fillSeconds,
      vacuumed: false,
    };
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** VACUUM (ANALYZE) of the tables the community fill wrote; returns its seconds. */
export async function vacuumCommunity(url: string): Promise<number> {
  const t0 = performance.now();
  const sql = createPooledClient(url, { max: 1, applicationName: "pulseboard-bench-community" });
  try {
    await sql.unsafe(`vacuum (analyze) ${COMMUNITY_TABLES.join(", ")}`);
  } finally {
    await sql.end({ timeout: 5 });
  }
  const seconds = Math.round((performance.now() - t0) / 1000);
  progress(`community data: vacuumed and analysed in ${seconds} s`);
  return seconds;
}

async function triggersOffForTransaction(tx: postgres.TransactionSql): Promise<string> {
  try {
    await tx.savepoint((sp) => sp`set local session_replication_role = replica`);
    return "session_replication_role = replica";
  } catch {
    // Not a superuser: the tables' owner may still switch the three counter triggers off.
    for (const t of TRIGGERS) await tx.unsafe(`alter table ${t.table} disable trigger ${t.name}`);
    return "ALTER TABLE … DISABLE TRIGGER on the counter triggers";
  }
}

async function restoreTriggers(tx: postgres.TransactionSql, how: string): Promise<void> {
  if (how.startsWith("session_replication_role")) {
    await tx`set local session_replication_role = origin`;
    return;
  }
  for (const t of TRIGGERS) await tx.unsafe(`alter table ${t.table} enable trigger ${t.name}`);
}

/** The plan in temporary tables (dropped at commit): members, categories, threads, posts, votes. */
async function planCommunity(
  tx: postgres.TransactionSql,
  params: CommunityDataParams,
  from: Date,
  end: Date,
): Promise<{ sentences: number; benchThreadId: string }> {
  const U = params.users;
  const T = params.threads;
  const fromIso = from.toISOString();
  const endIso = end.toISOString();
  const benchN = Math.round(T * 0.85);
  const sentences = 2000;

  await tx`create temp table cb_users (n int primary key, id text not null) on commit drop`;
  await tx`
    insert into cb_users
    select n, left(encode(sha256(('pulseboard-community-bench-' || n)::bytea), 'hex'), 32)
    from generate_series(1, ${U}) n`;

  // Sentences of 5–15 words from the list (frequent words first: a Zipf-like skew).
  await tx`create temp table cb_sentences (k int primary key, body text not null) on commit drop`;
  await tx`
    insert into cb_sentences
    select k, upper(left(s.words, 1)) || substr(s.words, 2) || '.'
    from generate_series(0, ${sentences - 1}) k
    cross join lateral (
      select string_agg((${WORDS}::text[])[1 + floor(power(random(), 1.8) * ${WORDS.length})::int], ' ') as words
      from generate_series(1, 5 + k % 11) g
    ) s`;

  await tx`
    create temp table cb_categories (k int primary key, id uuid not null default gen_random_uuid(),
      slug text not null, name text not null, description text not null, lo float8 not null) on commit drop`;
  let lo = 0;
  for (const [i, c] of CATEGORIES.entries()) {
    await tx`insert into cb_categories (k, slug, name, description, lo)
             values (${i + 1}, ${c.slug}, ${c.name}, ${c.description}, ${lo})`;
    lo += c.weight;
  }
  const thresholds = (await tx<{ lo: number }[]>`select lo from cb_categories order by k`).map((r) => r.lo);

  // Threads: one after the other over the span; a log-normal weight for their number of posts.
  await tx`
    create temp table cb_threads (n int primary key, id uuid not null default gen_random_uuid(),
      category int not null, author int not null, created_at timestamptz not null, title text not null,
      w float8 not null, extra int not null default 0, is_pinned boolean not null default false,
      status text not null default 'open') on commit drop`;
  await tx`
    insert into cb_threads (n, category, author, created_at, title, w)
    select n, width_bucket(random(), ${thresholds}::float8[]),
           1 + floor(power(random(), 2) * ${U})::int,
           ${fromIso}::timestamptz + ((n - 1 + random()) / ${T}) * (${endIso}::timestamptz - ${fromIso}::timestamptz),
           upper(left(s.words, 1)) || substr(s.words, 2)
             || case when n = 31337 then ${` ${COMMUNITY_TERMS.rare.term}`}
                     when n % 200 = 3 then ${` ${COMMUNITY_TERMS.medium.term}`}
                     when n % 10 = 0 then ${` ${COMMUNITY_TERMS.common.term}`} else '' end,
           least(exp(ln(4) + 1.3 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random())), 900)
    from generate_series(1, ${T}) n
    cross join lateral (
      select string_agg((${WORDS}::text[])[1 + floor(power(random(), 1.5) * ${WORDS.length})::int], ' ') as words
      from generate_series(1, 3 + n % 6) g
    ) s`;
  // Posts beyond the opening one: the bench thread's fixed, the rest shared by weight (largest
  // remainder, so they add up exactly).
  const others = params.replies - T - (params.benchThreadReplies - 1);
  await tx`update cb_threads set extra = ${params.benchThreadReplies - 1}, w = 0 where n = ${benchN}`;
  await tx`
    with a as (select n, w * (${others}::float8 / (select sum(w) from cb_threads)) as x from cb_threads where n <> ${benchN}),
    b as (select n, floor(x)::int as base, row_number() over (order by x - floor(x) desc, n) as rk from a),
    r as (select ${others} - sum(base) as left_over from b)
    update cb_threads t set extra = b.base + case when b.rk <= r.left_over then 1 else 0 end
    from b, r where b.n = t.n`;
  await tx`
    with p as (select n, row_number() over (partition by category order by hashint4(n), n) as k
               from cb_threads where n <> ${benchN})
    update cb_threads t set is_pinned = true from p where p.n = t.n and p.k <= ${params.pinnedPerCategory}`;
  await tx`update cb_threads set status = 'locked' where n % 97 = 0 and not is_pinned and n <> ${benchN}`;

  // Posts: the opening one at the thread's start, the others after it (exponential, mean 5
  // days; past the end: anywhere in what is left), numbered in time order across threads.
  await tx`
    create temp table cb_replies (seq int not null, id uuid not null, thread_n int not null, author int not null,
      created_at timestamptz not null, nsent int not null, opening boolean not null) on commit drop`;
  await tx`
    insert into cb_replies
    select row_number() over (order by at, thread_n, k), gen_random_uuid(), thread_n, author, at,
           case when k = 0 then 2 else 1 end + floor(power(random(), 2) * 7)::int, k = 0
    from (
      select t.n as thread_n, 0 as k, t.author, t.created_at as at from cb_threads t
      union all
      select t.n, g.k, 1 + floor(power(random(), 1.6) * ${U})::int,
             case when j.at < ${endIso}::timestamptz then j.at
                  else t.created_at + interval '1 second'
                       + random() * greatest(${endIso}::timestamptz - t.created_at - interval '1 second', interval '0') end
      from cb_threads t
      cross join lateral generate_series(1, t.extra) g(k)
      cross join lateral (select t.created_at + make_interval(secs => greatest(1, -ln(1 - random()) * 5 * 86400)) as at
                          where g.k > 0) j
    ) x
    order by 1`;
  await tx`alter table cb_replies add primary key (seq)`;

  // Votes: a log-normal weight per post (opening posts ×3), shared out exactly; voters distinct
  // per post and never its author (author + k × a prime coprime to the members' number).
  await tx`create temp table cb_vote_counts (seq int primary key, v int not null) on commit drop`;
  await tx`
    with a as (
      select seq, least(exp(ln(1.2) + 1.2 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()))
                        * case when opening then 3 else 1 end, 2000) as w
      from cb_replies),
    s as (select sum(w) as total from a),
    x as (select seq, w * (${params.votes}::float8 / s.total) as x from a, s),
    b as (select seq, floor(x)::int as base, row_number() over (order by x - floor(x) desc, seq) as rk from x),
    r as (select ${params.votes} - sum(base) as left_over from b)
    insert into cb_vote_counts
    select b.seq, least(b.base + case when b.rk <= r.left_over then 1 else 0 end, ${U - 1}) from b, r`;
  await tx`
    create temp table cb_votes (seq int not null, reply_id uuid not null, voter int not null, value int not null,
      at timestamptz not null) on commit drop`;
  await tx`
    insert into cb_votes
    select row_number() over (order by j.at, r.seq, g.k), r.id,
           1 + ((r.author - 1 + g.k * (array[7919, 3571, 6007, 1009, 12007])[1 + r.seq % 5]) % ${U}),
           case when random() < 0.88 then 1 else -1 end,
           case when j.at < ${endIso}::timestamptz then j.at
                else r.created_at + random() * greatest(${endIso}::timestamptz - r.created_at, interval '0') end
    from cb_replies r
    join cb_vote_counts c on c.seq = r.seq
    cross join lateral generate_series(1, c.v) g(k)
    cross join lateral (select r.created_at + make_interval(secs => greatest(1, -ln(1 - random()) * 1.5 * 86400)) as at
                        where g.k > 0) j
    order by 1`;
  await tx`create temp table cb_scores (id uuid primary key, score int not null) on commit drop`;
  await tx`insert into cb_scores select reply_id, sum(value)::int from cb_votes group by reply_id`;
  await tx`analyze cb_users, cb_sentences, cb_categories, cb_threads, cb_replies, cb_votes, cb_scores`;

  const [bench] = await tx<{ id: string }[]>`select id from cb_threads where n = ${benchN}`;
  if (!bench) throw new Error("community data: no bench thread planned");
  return { sentences, benchThreadId: bench.id };
}

/** Fails unless every stored figure equals what the triggers would have kept. */
async function checkCounters(tx: postgres.TransactionSql): Promise<void> {
  const [bad] = await tx<{ threads: number; categories: number; scores: number }[]>`
    select
      (select count(*)::int from threads t
       left join (select thread_id, count(*)::int as n, max(created_at) as last from thread_replies group by thread_id) s
         on s.thread_id = t.id
       where t.reply_count <> coalesce(s.n, 0) or t.last_activity_at <> greatest(t.created_at, s.last)) as threads,
      (select count(*)::int from categories c
       left join (select category_id, count(*)::int as n, max(greatest(t.created_at, t.last_activity_at)) as last
                  from threads t group by category_id) s on s.category_id = c.id
       where c.thread_count <> coalesce(s.n, 0) or c.last_activity_at is distinct from s.last) as categories,
      (select count(*)::int from thread_replies r
       left join (select reply_id, sum(value)::int as score from reply_votes group by reply_id) v on v.reply_id = r.id
       where r.score <> coalesce(v.score, 0)) as scores`;
  if (!bad || bad.threads + bad.categories + bad.scores > 0)
    throw new Error(`community data: counters differ from the triggers' (${JSON.stringify(bad)})`);
}

async function describeFill(
  tx: postgres.TransactionSql,
  params: CommunityDataParams,
  benchThreadId: string,
): Promise<
  Omit<CommunityDataInfo, "version" | "params" | "from" | "end" | "triggersOff" | "fillSeconds" | "vacuumed">
> {
  const categories = await tx<{ slug: string; name: string; threads: number }[]>`
    select slug, name, thread_count as threads from categories order by position`;
  const [bench] = await tx<{ id: string; title: string; categorySlug: string; replies: number }[]>`
    select t.id, t.title, c.slug as "categorySlug", t.reply_count as replies
    from threads t join categories c on c.id = t.category_id where t.id = ${benchThreadId}`;
  if (!bench || bench.replies !== params.benchThreadReplies)
    throw new Error(
      `community data: the bench thread has ${bench?.replies} posts, not ${params.benchThreadReplies}`,
    );
  const [rows] = await tx<
    {
      users: number;
      categories: number;
      threads: number;
      replies: number;
      votes: number;
      pinned: number;
      locked: number;
      p50: number;
      p90: number;
      p99: number;
      max: number;
    }[]
  >`
    select (select count(*)::int from "user" where email like '%@community.bench.local') as users,
           (select count(*)::int from categories) as categories,
           (select count(*)::int from threads) as threads,
           (select count(*)::int from thread_replies) as replies,
           (select count(*)::int from reply_votes) as votes,
           (select count(*)::int from threads where is_pinned) as pinned,
           (select count(*)::int from threads where status = 'locked') as locked,
           p.p50, p.p90, p.p99, p.max
    from (select percentile_disc(0.5) within group (order by reply_count) as p50,
                 percentile_disc(0.9) within group (order by reply_count) as p90,
                 percentile_disc(0.99) within group (order by reply_count) as p99,
                 max(reply_count) as max
          from threads) p`;
  if (!rows) throw new Error("community data: no counts");
  const terms = {} as Record<CommunityTermKind, CommunityTermInfo>;
  for (const kind of Object.keys(COMMUNITY_TERMS) as CommunityTermKind[]) {
    const term = COMMUNITY_TERMS[kind].term;
    const [n] = await tx<{ titles: number; replies: number }[]>`
      select (select count(*)::int from threads where search @@ websearch_to_tsquery('english', ${term})) as titles,
             (select count(*)::int from thread_replies where search @@ websearch_to_tsquery('english', ${term})) as replies`;
    terms[kind] = { term, titles: n?.titles ?? 0, replies: n?.replies ?? 0 };
  }
  const { p50, p90, p99, max, ...counts } = rows;
  return {
    categories,
    benchThread: bench,
    terms,
    rows: { ...counts, repliesPerThread: { p50, p90, p99, max } },
  };
}

/** One line of conditions for reports. */
export function describeCommunityData(c: CommunityDataInfo): string {
  const r = c.rows;
  const largest = c.categories.reduce(
    (a, b) => (b.threads > a.threads ? b : a),
    c.categories[0] ?? { slug: "", threads: 0 },
  );
  const terms = (Object.keys(c.terms) as CommunityTermKind[])
    .map(
      (k) =>
        `${k} "${c.terms[k].term}" ${fmtInt(c.terms[k].titles)} titles + ${fmtInt(c.terms[k].replies)} replies`,
    )
    .join(", ");
  return [
    `community: ${fmtInt(r.users)} members, ${r.categories} categories (largest ${largest.slug} ${fmtInt(largest.threads)} threads), ${fmtInt(r.threads)} threads over ${c.from} – ${c.end} (${r.pinned} pinned, ${r.locked} locked)`,
    `${fmtInt(r.replies)} posts inserted in time order across threads (per thread p50 ${r.repliesPerThread.p50}, p90 ${r.repliesPerThread.p90}, p99 ${r.repliesPerThread.p99}, max ${r.repliesPerThread.max}; bench thread ${c.benchThread.replies})`,
    `${fmtInt(r.votes)} votes in time order (one per reply and voter, 88 % up)`,
    `search terms: ${terms}`,
    `counters computed in bulk and checked equal to the triggers'; ${c.vacuumed ? "VACUUM (ANALYZE) after the fill" : "NOT vacuumed"}`,
  ].join("; ");
}
