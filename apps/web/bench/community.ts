// `pnpm bench` (web, community): the community's pages and search as a reader gets them, over HTTP
// with a session cookie from the production server (`next build` + `server.ts`, NODE_ENV=production),
// on a clone of the shared bench data (@pulseboard/devstack/bench-data), whose community holds
// 100,000 threads over a year in 8 categories, 1,000,000 posts and 3,000,000 votes written in time
// order across threads (see bench-community-data.ts), the reader a user signed up through the API
// who has voted on 10 posts of the bench thread.
// - cases: the largest category's first page (/community/c/<slug>); the bench thread's page (100
//   posts with their scores and the reader's votes); the search API (/api/community/search?q=) and
//   the search page (/community/search?q=) for a rare, a medium and a common term;
// - BENCH_WARMUP rounds (default 5) unmeasured, then BENCH_RUNS rounds (default 50); a round asks
//   for every case once, in turn, one request at a time (concurrency 1), so a burst of load from
//   elsewhere on the machine falls on every case alike; the time is to the whole response read;
// - the same reads done by the query functions alone over one connection (no HTTP, no rendering),
//   as many times, for the share of the database;
// - the CPU used meanwhile by the web server, PostgreSQL and everything else on the machine.
// Goals: pages p95 < 50 ms, search p95 < 100 ms.

import { rmSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import {
  fmt1,
  fmt2,
  fmtInt,
  onCleanup,
  percentile,
  progress,
  reportResults,
  runBench,
} from "@pulseboard/devstack/bench";
import { cpuCores, cpuSample, loadAverage, postgresServerPid } from "@pulseboard/devstack/bench-cpu";
import {
  benchDataParams,
  benchTemplate,
  COMMUNITY_TERMS,
  type CommunityTermKind,
  cloneBenchDatabase,
  describeBenchData,
  dropBenchDatabase,
  startBenchServer,
} from "@pulseboard/devstack/bench-data";
import { spawnProcess } from "@pulseboard/devstack/test/process";
import { ensureWebBuild } from "@pulseboard/devstack/web-build";
import { findFreePort } from "@pulseboard/runtime/ports";
import { createDb, createPooledClient } from "@pulseboard/schema/client";
import { getCategory } from "@pulseboard/schema/queries/community-categories";
import { listReplies } from "@pulseboard/schema/queries/community-replies";
import { searchCommunity } from "@pulseboard/schema/queries/community-search";
import { getThread, listThreads } from "@pulseboard/schema/queries/community-threads";

const RUNS = Number(process.env.BENCH_RUNS ?? 50);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 5);
const DIST = ".next-bench";
const PAGE_GOAL_MS = 50;
const SEARCH_GOAL_MS = 100;
const READER_VOTES = 10;

interface Case {
  label: string;
  path: string;
  goalMs: number;
  /** Checks a response's body; returns what it held, for the table. */
  check: (body: string) => string;
  /** The same reads by the query functions alone. */
  sqlAlone: () => Promise<unknown>;
}

const count = (body: string, needle: string) => body.split(needle).length - 1;

async function main() {
  const server = await startBenchServer();
  onCleanup("bench server", () => server.stop());
  const { name: template, info } = await benchTemplate(server, benchDataParams());
  const community = info.community;
  if (!community) throw new Error("the bench data holds no community");
  const database = "pulseboard_bench_community";
  const url = await cloneBenchDatabase(server, template, database);
  onCleanup("bench database", () => dropBenchDatabase(server, database));
  const sql = createPooledClient(url, { max: 1, applicationName: "pulseboard-bench-community" });
  onCleanup("benchmark client", () => sql.end({ timeout: 5 }));
  const db = createDb(sql);

  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NEXT_TELEMETRY_DISABLED: "1",
    NEXT_DIST_DIR: DIST,
  };
  // `pnpm bench` runs the page bench next, on the same build: it removes it.
  if (process.env.BENCH_KEEP_WEB_BUILD !== "1")
    onCleanup("next build", () => rmSync(`${process.cwd()}/${DIST}`, { recursive: true, force: true }));
  let started = Date.now();
  await ensureWebBuild({ distDir: DIST, env });
  progress(`next build: ${((Date.now() - started) / 1000).toFixed(1)} s`);

  const port = await findFreePort();
  const base = `http://localhost:${port}`;
  const web = spawnProcess(process.execPath, ["--import", "tsx", "server.ts", "--port", String(port)], {
    cwd: process.cwd(),
    env: {
      ...env,
      NODE_ENV: "production",
      DATABASE_URL: url,
      BETTER_AUTH_SECRET: "bench-secret-bench-secret-bench-secret-0123",
      BETTER_AUTH_URL: base,
      LOG_LEVEL: "warn",
    },
  });
  onCleanup("web server", () => web.stop());
  started = Date.now();
  await web.waitFor(/Ready in/, 60_000);
  progress(`web server ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  const signUp = await fetch(`${base}/api/auth/sign-up/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: base },
    body: JSON.stringify({
      email: `reader-${Date.now()}@example.com`,
      password: "bench password",
      name: "Reader",
    }),
  });
  if (!signUp.ok) throw new Error(`sign-up failed: HTTP ${signUp.status}`);
  const reader = ((await signUp.json()) as { user: { id: string } }).user;
  const cookie = signUp.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  // Bench-only setup: the reader has voted on some posts of the bench thread (the triggers keep
  // their scores), so the page finds the reader's votes as well as the lack of them.
  const bench = community.benchThread;
  const voted = await sql`
    insert into reply_votes (reply_id, voter_id, value)
    select r.id, ${reader.id}, 1
    from (select id, row_number() over (order by created_at, id) as k from thread_replies where thread_id = ${bench.id}) r
    where r.k > 1 and r.k % 10 = 0
    limit ${READER_VOTES}`;
  progress(`signed up the reader ${reader.id}; ${voted.count} votes of theirs on the bench thread`);

  const largest = community.categories.reduce((a, b) => (b.threads > a.threads ? b : a));
  const categoryId = (await getCategory(db, largest.slug))?.id ?? "";
  const cases: Case[] = [
    {
      label: `category page /community/c/${largest.slug} (${fmtInt(largest.threads)} threads), first page`,
      path: `/community/c/${largest.slug}`,
      goalMs: PAGE_GOAL_MS,
      check: (body) => {
        const rows = count(body, 'data-testid="thread-row"');
        if (rows !== 25) throw new Error(`category page: ${rows} thread rows, not 25`);
        return `${rows} threads`;
      },
      sqlAlone: async () => {
        const category = await getCategory(db, largest.slug);
        return listThreads(db, category?.id ?? categoryId);
      },
    },
    {
      label: `thread page, bench thread (${bench.replies} posts, scores, the reader's votes)`,
      path: `/community/t/${bench.id}`,
      goalMs: PAGE_GOAL_MS,
      check: (body) => {
        const posts = count(body, 'data-testid="reply"');
        if (posts !== bench.replies) throw new Error(`thread page: ${posts} posts, not ${bench.replies}`);
        return `${posts} posts`;
      },
      sqlAlone: async () => {
        await getThread(db, bench.id);
        return listReplies(db, bench.id, reader.id);
      },
    },
  ];
  const kinds = Object.keys(COMMUNITY_TERMS) as CommunityTermKind[];
  for (const api of [true, false]) {
    for (const kind of kinds) {
      const t = community.terms[kind];
      const matches = `${fmtInt(t.titles)} titles + ${fmtInt(t.replies)} posts`;
      cases.push({
        label: `search ${api ? "API" : "page"}, ${kind} "${t.term}" (${matches})`,
        path: `${api ? "/api/community/search" : "/community/search"}?q=${encodeURIComponent(t.term)}`,
        goalMs: SEARCH_GOAL_MS,
        check: (body) => {
          const hits = api ? (JSON.parse(body) as unknown[]).length : count(body, 'data-testid="search-hit"');
          if (hits === 0) throw new Error(`search for ${t.term}: no hits`);
          return `${hits} threads`;
        },
        sqlAlone: () => searchCommunity(db, t.term),
      });
    }
  }

  /** Milliseconds to the first byte and to the whole body read, and the body. */
  const get = async (path: string) => {
    const t0 = performance.now();
    const res = await fetch(`${base}${path}`, { headers: { cookie } });
    const ttfb = performance.now() - t0;
    if (res.status !== 200) {
      await res.body?.cancel();
      throw new Error(`${path}: HTTP ${res.status}`);
    }
    const body = await res.text();
    return { ms: performance.now() - t0, ttfb, body };
  };

  // First requests after the server starts (the route's code loaded, nothing cached), then the
  // warm-up rounds; every response is checked.
  const results: string[] = [];
  const first: number[] = [];
  for (const c of cases) {
    const r = await get(c.path);
    first.push(r.ms);
    results.push(c.check(r.body));
  }
  for (let i = 1; i < WARMUP; i++) for (const c of cases) c.check((await get(c.path)).body);
  progress(`warmed up: ${WARMUP} rounds of ${cases.length} requests`);

  const pgPid = await postgresServerPid(sql);
  const targets = {
    web: { pid: web.child.pid, tree: true },
    postgres: { pid: pgPid, tree: true },
    bench: { pid: process.pid, tree: false },
  };
  const loadBefore = loadAverage();
  const total = cases.map(() => [] as number[]);
  const ttfb = cases.map(() => [] as number[]);
  const cpu0 = cpuSample(targets);
  for (let round = 0; round < RUNS; round++) {
    for (const [i, c] of cases.entries()) {
      const r = await get(c.path);
      total[i]?.push(r.ms);
      ttfb[i]?.push(r.ttfb);
    }
  }
  const cores = cpuCores(cpu0, cpuSample(targets));
  const loadAfter = loadAverage();
  progress(`measured: ${RUNS} rounds of ${cases.length} requests`);

  // The database's share: the same reads by the query functions, over one connection.
  const alone = cases.map(() => [] as number[]);
  for (let i = 0; i < WARMUP; i++) for (const c of cases) await c.sqlAlone();
  for (let round = 0; round < RUNS; round++) {
    for (const [i, c] of cases.entries()) {
      const t0 = performance.now();
      await c.sqlAlone();
      alone[i]?.push(performance.now() - t0);
    }
  }
  progress(`query functions alone: ${RUNS} rounds`);

  const [settings] = await sql<
    {
      fsync: string;
      synchronous_commit: string;
      full_page_writes: string;
      shared_buffers: string;
      version: string;
    }[]
  >`
    select current_setting('fsync') as fsync, current_setting('synchronous_commit') as synchronous_commit,
           current_setting('full_page_writes') as full_page_writes, current_setting('shared_buffers') as shared_buffers,
           current_setting('server_version') as version`;
  const [rows] = await sql<
    { threads: number; replies: number; votes: number; users: number; categories: number; size: string }[]
  >`
    select (select count(*)::int from categories) as categories, (select count(*)::int from threads) as threads,
           (select count(*)::int from thread_replies) as replies, (select count(*)::int from reply_votes) as votes,
           (select count(*)::int from "user") as users, pg_size_pretty(pg_database_size(current_database())) as size`;

  const tableRows: string[][] = [];
  const figures: Record<string, unknown> = {};
  for (const [i, c] of cases.entries()) {
    const times = total[i] ?? [];
    const p95 = percentile(times, 95);
    const met = p95 < c.goalMs;
    tableRows.push([
      c.label,
      results[i] ?? "",
      fmt1(percentile(times, 50)),
      `**${fmt1(p95)}**`,
      `< ${c.goalMs} ${met ? "met" : "MISSED"}`,
      fmt1(percentile(ttfb[i] ?? [], 50)),
      fmt1(percentile(alone[i] ?? [], 50)),
      fmt1(percentile(alone[i] ?? [], 95)),
      fmt1(first[i] ?? Number.NaN),
    ]);
    figures[c.label] = {
      path: c.path,
      result: results[i],
      goalMs: c.goalMs,
      goalMet: met,
      first: first[i],
      ms: times,
      ttfb: ttfb[i],
      sqlAloneMs: alone[i],
    };
  }
  const cpu = cpus();
  const conditions = [
    `data: ${describeBenchData(info)}`,
    `rows in the clone now: ${rows?.categories} categories, ${fmtInt(rows?.threads ?? 0)} threads, ${fmtInt(rows?.replies ?? 0)} posts, ${fmtInt(rows?.votes ?? 0)} votes, ${fmtInt(rows?.users ?? 0)} users; database ${rows?.size}`,
    `server: ${server.description}; as it reports them now: fsync ${settings?.fsync}, synchronous_commit ${settings?.synchronous_commit}, full_page_writes ${settings?.full_page_writes}, shared_buffers ${settings?.shared_buffers}`,
    `machine: ${cpu.length} CPUs (${cpu[0]?.model.trim() ?? "?"}), ${fmtInt(totalmem() / 2 ** 30)} GB; load average ${loadBefore} before, ${loadAfter} after; cores used while measuring: web ${fmt2(cores.web ?? Number.NaN)}, PostgreSQL ${fmt2(cores.postgres ?? Number.NaN)}, this bench ${fmt2(cores.bench ?? Number.NaN)}, everything else ${fmt2(cores.other ?? Number.NaN)} (of ${cpu.length})`,
    `web: production build behind server.ts (NODE_ENV=production) on this machine, over HTTP on localhost, signed in as the reader (session cookie) for every request; concurrency 1 (one request at a time); ${WARMUP} warm-up rounds, then ${RUNS} rounds of the ${cases.length} cases in turn; time to the whole response read (TTFB beside it)`,
    `SQL alone: the page's query functions (getCategory + listThreads; getThread + listReplies with the reader; searchCommunity) over one pooled connection from this process, ${RUNS} rounds after ${WARMUP}`,
    `goals: pages p95 < ${PAGE_GOAL_MS} ms, search p95 < ${SEARCH_GOAL_MS} ms`,
  ];
  reportResults("web-community", {
    title: [
      "Community over HTTP (ms, production server, signed in)",
      ...conditions.map((c) => `  ${c}`),
    ].join("\n"),
    header: ["request", "result", "p50", "p95", "goal (p95 ms)", "TTFB p50", "SQL p50", "SQL p95", "first"],
    rows: tableRows,
    figures: { conditions, runs: RUNS, warmup: WARMUP, concurrency: 1, cores, ...figures },
  });
}

await runBench(main);
