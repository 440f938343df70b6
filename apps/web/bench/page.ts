// `pnpm bench` (web): the device page and its charts as a browser gets them, over HTTP with a
// session cookie from the production server (`next build` + `server.ts`, NODE_ENV=production), on
// a clone of the shared bench data (@pulseboard/devstack/bench-data: 100 devices × 4 metrics
// interleaved, raw tail, minute and hourly roll-ups), whose devices are handed to a user signed up
// through the API; a day partition exists for each day of raw retention, as in a deployment.
// - first visit of each page after the server starts (what `pnpm start` serves: no compiling on
//   demand);
// - warm: BENCH_RUNS requests (default 30) after 3 unmeasured ones, each for a device picked in
//   turn among the 100 (so one series' cached pages are not reused): the device page's time to
//   first byte, and the readings API for the 30-day and 365-day chart ending at the data's end;
// - cold: BENCH_COLD_RUNS chart requests (default 8), each right after PostgreSQL is restarted
//   and, where /proc/sys/vm/drop_caches is writable, the OS page cache dropped, then the web
//   server's connections re-opened by one untimed request that reads no readings (printed which).
// Goals (warm, as the chart query's): 30 d p95 < 100 ms, 365 d p95 < 150 ms, here over HTTP with
// the session check included.
import { rmSync } from "node:fs";
import {
  fmt1,
  fmtInt,
  onCleanup,
  percentile,
  progress,
  reportResults,
  runBench,
} from "@pulseboard/devstack/bench";
import {
  benchDataParams,
  benchTemplate,
  cloneBenchDatabase,
  describeBenchData,
  dropBenchDatabase,
  dropPageCache,
  makeRetentionPartitions,
  startBenchServer,
} from "@pulseboard/devstack/bench-data";
import { spawnProcess } from "@pulseboard/devstack/test/process";
import { ensureWebBuild } from "@pulseboard/devstack/web-build";
import { findFreePort } from "@pulseboard/runtime/ports";
import { createDb, createPooledClient } from "@pulseboard/schema/client";

const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const COLD_RUNS = Number(process.env.BENCH_COLD_RUNS ?? 8);
const WARMUP = 3;
const DIST = ".next-bench";
const DAY_MS = 86_400_000;
const RANGES = [
  { label: "30 d", days: 30, goalMs: 100 },
  { label: "365 d", days: 365, goalMs: 150 },
];

async function main() {
  const server = await startBenchServer();
  onCleanup("bench server", () => server.stop());
  const { name: template, info } = await benchTemplate(server, benchDataParams());
  const database = "pulseboard_bench_web";
  const url = await cloneBenchDatabase(server, template, database);
  onCleanup("bench database", () => dropBenchDatabase(server, database));
  const sql = createPooledClient(url, { max: 1, applicationName: "pulseboard-bench-web" });
  onCleanup("benchmark client", () => sql.end({ timeout: 5 }));
  const to = new Date(info.end);
  // A deployment holds a day partition for each day of raw retention and three ahead; the bench
  // data fills its last days only: the others are made here, empty, as every read plans and
  // probes them all.
  const made = await makeRetentionPartitions(createDb(sql), info);
  progress(`day partitions made for the whole raw retention: ${made} (empty)`);

  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NEXT_TELEMETRY_DISABLED: "1",
    NEXT_DIST_DIR: DIST,
  };
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
      email: `bench-${Date.now()}@example.com`,
      password: "bench password",
      name: "Bench",
    }),
  });
  if (!signUp.ok) throw new Error(`sign-up failed: HTTP ${signUp.status}`);
  const user = ((await signUp.json()) as { user: { id: string } }).user;
  const cookie = signUp.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  // Bench-only setup: the signed-up user takes over the bench owner's devices on this clone.
  const moved = await sql`update devices set owner_id = ${user.id} where owner_id = ${info.ownerId}`;
  progress(`signed up ${user.id}; ${moved.count} devices of the bench owner handed to it`);
  const deviceIds = info.deviceIds;
  const deviceAt = (i: number) => deviceIds[i % deviceIds.length] ?? "";

  /** Milliseconds to the first byte, or to the whole body read; the body when read. */
  const get = async (path: string, readBody = true) => {
    const t0 = performance.now();
    const res = await fetch(`${base}${path}`, { headers: { cookie } });
    const ttfb = performance.now() - t0;
    if (res.status !== 200) {
      await res.body?.cancel();
      throw new Error(`${path}: HTTP ${res.status}`);
    }
    if (!readBody) {
      await res.body?.cancel();
      return { ms: ttfb, body: "" };
    }
    const body = await res.text();
    return { ms: performance.now() - t0, body };
  };

  // First visits: each page once, in the order a new user meets them, on a server that has
  // served nothing but the sign-up (the device page's data is loaded, so it is a real visit).
  console.log("\nfirst visit of each page after the server starts (full response, signed in):");
  const firstVisits: Record<string, number> = {};
  for (const path of [
    "/dashboard",
    "/dashboard/devices",
    `/dashboard/devices/${deviceAt(0)}`,
    "/dashboard/alerts",
    "/dashboard/workouts",
    "/dashboard/plans",
    "/dashboard/exercises",
    "/dashboard/progress",
    "/settings",
    "/docs/device-protocol",
  ]) {
    const ms = await get(path).then(
      (r) => r.ms,
      () => Number.NaN,
    );
    const label = path.replace(deviceAt(0), ":id");
    firstVisits[label] = ms;
    console.log(`  ${label.padEnd(32)} ${fmt1(ms).padStart(7)} ms`);
  }
  console.log("");

  const warmRuns = async (run: (i: number) => Promise<number>) => {
    for (let i = 0; i < WARMUP; i++) await run(i);
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) times.push(await run(WARMUP + i));
    return times;
  };

  const rows: string[][] = [];
  const figures: Record<string, unknown> = { firstVisits };
  const page = await warmRuns(async (i) => (await get(`/dashboard/devices/${deviceAt(i)}`, false)).ms);
  progress(`device page TTFB: warm p50 ${fmt1(percentile(page, 50))} / p95 ${fmt1(percentile(page, 95))} ms`);
  rows.push([
    "device page, time to first byte",
    "—",
    "—",
    fmt1(percentile(page, 50)),
    `**${fmt1(percentile(page, 95))}**`,
    "—",
    "",
    "",
  ]);
  figures["device page ttfb"] = { warm: page };

  const metric = info.params.metrics[0] ?? "temperature";
  let restarted = false;
  let cacheDropped = false;
  let reopenAttempts = 0;
  for (const range of RANGES) {
    const from = new Date(to.getTime() - range.days * DAY_MS);
    const path = (i: number) =>
      `/api/devices/${deviceAt(i)}/readings?metric=${metric}&from=${from.toISOString()}&to=${to.toISOString()}`;
    let bucketSeconds = Number.NaN;
    let points = 0;
    const chart = async (i: number) => {
      const { ms, body } = await get(path(i));
      const parsed = JSON.parse(body) as { bucketSeconds: number; points: unknown[] };
      bucketSeconds = parsed.bucketSeconds;
      points = parsed.points.length;
      return ms;
    };
    // Cold: PostgreSQL restarted (and the page cache dropped) before each request; then the web
    // server's pool, whose connections the restart closed, re-opened by a request that reads no
    // readings (the session and the device list), untimed.
    const cold: number[] = [];
    for (let i = 0; i < COLD_RUNS; i++) {
      restarted = await server.restart();
      if (!restarted) break;
      cacheDropped = dropPageCache();
      for (let attempt = 1; ; attempt++) {
        reopenAttempts = Math.max(reopenAttempts, attempt);
        const ok = await get("/api/devices").then(
          () => true,
          (error) => {
            if (attempt >= 5) throw error;
            return false;
          },
        );
        if (ok) break;
      }
      cold.push(await chart(i * 7));
    }
    const warm = await warmRuns(chart);
    const p95 = percentile(warm, 95);
    progress(
      `${range.label}: warm p50 ${fmt1(percentile(warm, 50))} / p95 ${fmt1(p95)} ms, cold p50 ${fmt1(percentile(cold, 50))} ms`,
    );
    rows.push([
      `readings API, ${range.label} chart`,
      `${fmtInt(bucketSeconds / 60)} min`,
      fmtInt(points),
      fmt1(percentile(warm, 50)),
      `**${fmt1(p95)}**`,
      `< ${range.goalMs} ${p95 < range.goalMs ? "met" : "MISSED"}`,
      restarted ? fmt1(percentile(cold, 50)) : "n/a",
      restarted ? fmt1(percentile(cold, 95)) : "n/a",
    ]);
    figures[range.label] = {
      bucketSeconds,
      points,
      warm,
      cold: restarted ? cold : null,
      goalMs: range.goalMs,
      goalMet: p95 < range.goalMs,
    };
  }
  const [counted] = await sql<{ partitions: number }[]>`
    select count(*)::int as partitions from pg_inherits where inhparent = 'sensor_readings'::regclass`;

  const coldHow = restarted
    ? `cold = PostgreSQL restarted before each request${cacheDropped ? ", the OS page cache dropped (sync; echo 3 > /proc/sys/vm/drop_caches)" : "; the OS page cache NOT dropped (not permitted here)"}, then the web server's connections re-opened by one untimed GET /api/devices (${reopenAttempts > 1 ? `up to ${reopenAttempts} attempts` : "first attempt answered"})`
    : "cold not measured (DATABASE_URL's server is not ours to restart)";
  const conditions = [
    `data: ${describeBenchData(info)}; its ${moved.count} devices handed to a user signed up through the API; ${counted?.partitions ?? 0} day partitions of raw readings (${made} of them made empty, for the whole raw retention)`,
    `server: ${server.description}`,
    `web: production build behind server.ts (NODE_ENV=production) on this machine, over HTTP with the session cookie; requests in sequence`,
    `charts: readings API, one series (metric ${metric}), device picked in turn among ${deviceIds.length}, ending ${info.end}; warm = ${RUNS} requests after ${WARMUP} (full response); ${coldHow}, ${COLD_RUNS} requests`,
    `device page: time to first byte, device picked in turn, warm = ${RUNS} requests after ${WARMUP}`,
  ];
  reportResults("web", {
    title: [
      "Web over HTTP (ms, production server, session check included)",
      ...conditions.map((c) => `  ${c}`),
    ].join("\n"),
    header: ["request", "bucket", "points", "warm p50", "warm p95", "goal (p95 ms)", "cold p50", "cold p95"],
    rows,
    figures: { conditions, runs: RUNS, coldRuns: COLD_RUNS, restarted, cacheDropped, ...figures },
  });
}

await runBench(main);
