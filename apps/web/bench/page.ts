// `pnpm bench` (web): the device page and its charts as a browser gets them, over HTTP from the
// production server (`next build` + `server.ts`), for a device that reported once a second for
// 30 days (2,592,000 readings of one metric), after the alerter's roll-up of closed minutes.
// Prints each page's first visit after the server starts (what `pnpm start` serves: no compiling
// on demand), then time to first byte of the device page and the readings API per chart range
// (p50, p95).
// Uses DATABASE_URL when set, otherwise a throwaway embedded PostgreSQL (see @pulseboard/devstack/bench).
import { rmSync } from "node:fs";
import { benchDatabase, onCleanup, percentile, reportResults, runBench } from "@pulseboard/devstack/bench";
import { spawnProcess } from "@pulseboard/devstack/test/process";
import { ensureWebBuild } from "@pulseboard/devstack/web-build";
import { findFreePort } from "@pulseboard/runtime/ports";
import { createDb, createPooledClient } from "@pulseboard/schema/client";
import { rollUpClosedMinutes } from "@pulseboard/schema/queries/rollups";

const READINGS = 30 * 86_400;
const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const DIST = ".next-bench";

async function timeRuns(label: string, fn: () => Promise<number>) {
  for (let i = 0; i < 3; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) times.push(await fn());
  const [p50, p95] = [percentile(times, 50), percentile(times, 95)];
  console.log(
    `${label.padEnd(34)} p50 ${p50.toFixed(1).padStart(7)} ms   p95 ${p95.toFixed(1).padStart(7)} ms`,
  );
  return { p50, p95 };
}

async function main() {
  const database = await benchDatabase({ name: "pulseboard_bench_web", durable: false });
  onCleanup("database", () => database.close());
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NEXT_TELEMETRY_DISABLED: "1",
    NEXT_DIST_DIR: DIST,
  };
  onCleanup("next build", () => rmSync(`${process.cwd()}/${DIST}`, { recursive: true, force: true }));
  const sql = createPooledClient(database.url, { max: 2 });
  onCleanup("benchmark client", () => sql.end({ timeout: 5 }));
  let started = Date.now();
  await ensureWebBuild({ distDir: DIST, env });
  console.log(`next build: ${((Date.now() - started) / 1000).toFixed(1)} s`);

  const port = await findFreePort();
  const base = `http://localhost:${port}`;
  const server = spawnProcess(process.execPath, ["--import", "tsx", "server.ts", "--port", String(port)], {
    cwd: process.cwd(),
    env: {
      ...env,
      NODE_ENV: "production",
      DATABASE_URL: database.url,
      BETTER_AUTH_SECRET: "bench-secret-bench-secret-bench-secret-0123",
      BETTER_AUTH_URL: base,
      LOG_LEVEL: "warn",
    },
  });
  onCleanup("next start", () => server.stop());
  await server.waitFor(/Ready in/, 60_000);

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
  const cookie = signUp.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  const created = await fetch(`${base}/api/devices`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie, origin: base },
    body: JSON.stringify({ name: "Once a second for 30 days" }),
  });
  const device = (await created.json()) as { id: string };

  // As if they had arrived one a second for 30 days (received_at = recorded_at), so the
  // roll-up finds closed minutes to roll, as the alerter's sweep would have done all along.
  started = Date.now();
  const end = Math.floor(Date.now() / 1000);
  await sql`
    insert into sensor_readings (device_id, metric, value, recorded_at, received_at)
    select ${device.id}, 'temperature', 20 + 5 * sin(i / 3600.0) + random(), t, t
    from generate_series(1, ${READINGS}) as i, to_timestamp(${end}::bigint - ${READINGS}::int + i) as t`;
  await sql`analyze sensor_readings`;
  console.log(
    `loaded ${READINGS.toLocaleString("en-US")} readings in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  started = Date.now();
  const rolled = await rollUpClosedMinutes(createDb(sql));
  console.log(
    `roll-up of closed minutes: ${rolled.readings.toLocaleString("en-US")} readings -> ${rolled.rows.toLocaleString("en-US")} rows in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );

  const get = async (path: string, readBody = true) => {
    const t0 = performance.now();
    const res = await fetch(`${base}${path}`, { headers: { cookie } });
    const ttfb = performance.now() - t0;
    if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status}`);
    if (readBody) await res.arrayBuffer();
    else await res.body?.cancel();
    return readBody ? performance.now() - t0 : ttfb;
  };

  // First visits: each page once, in the order a new user meets them, on a server that has
  // served nothing but the sign-up (the device page's data is loaded, so it is a real visit).
  console.log("\nfirst visit of each page after next start (full response, signed in):");
  for (const path of [
    "/dashboard",
    "/dashboard/devices",
    `/dashboard/devices/${device.id}`,
    "/dashboard/alerts",
    "/dashboard/workouts",
    "/dashboard/plans",
    "/dashboard/exercises",
    "/dashboard/progress",
    "/settings",
    "/docs/device-protocol",
  ]) {
    const ms = await get(path).catch(() => Number.NaN);
    console.log(`  ${path.replace(device.id, ":id").padEnd(32)} ${ms.toFixed(1).padStart(7)} ms`);
  }

  console.log(`\nover HTTP on this machine, ${RUNS} runs each after 3 warm-ups:`);
  const devicePage = await timeRuns("device page, time to first byte", () =>
    get(`/dashboard/devices/${device.id}`, false),
  );
  const results: Record<string, { p50: number; p95: number }> = {};
  for (const [label, seconds] of [
    ["1 h", 3600],
    ["24 h", 86_400],
    ["7 d", 7 * 86_400],
    ["30 d", 30 * 86_400],
  ] as const) {
    results[label] = await timeRuns(`readings API, ${label} chart`, () => {
      const to = new Date();
      const from = new Date(to.getTime() - seconds * 1000);
      return get(
        `/api/devices/${device.id}/readings?metric=temperature&from=${from.toISOString()}&to=${to.toISOString()}`,
      );
    });
  }
  const p95 = results["30 d"]?.p95 ?? Number.NaN;
  reportResults("web", {
    title: `web: ${READINGS.toLocaleString("en-US")} readings behind next start, over HTTP, ${RUNS} runs each; 30 d chart p95 over HTTP: ${p95.toFixed(1)} ms (goal: < 100 ms of server time) ${p95 < 100 ? "MET" : "NOT MET"}`,
    header: ["request", "p50 ms", "p95 ms"],
    rows: [
      ["device page, time to first byte", devicePage.p50.toFixed(1), devicePage.p95.toFixed(1)],
      ...Object.entries(results).map(([label, r]) => [
        `readings API, ${label} chart`,
        r.p50.toFixed(1),
        r.p95.toFixed(1),
      ]),
    ],
    figures: {
      readings: READINGS,
      runs: RUNS,
      devicePageTtfb: devicePage,
      readingsApi: results,
      goalMet: p95 < 100,
    },
  });
}

await runBench(main);
