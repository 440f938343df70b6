// `pnpm bench` (schema): a device's charts over 2.6 million readings (one metric, once a second
// for 30 days, ending now). Loads them, runs the first roll-up (and a later incremental one), then
// times `rollupReadings` for the 1 h, 24 h, 7 d and 30 d charts ending now, with the bucket
// `chooseBucketSeconds` picks, and prints p50/p95 per range, with the query-time rollup straight
// from the readings beside the 30 d figure. Goal: 30 d chart p95 under 100 ms.
// Times are round trips on one connection to a local server: server time plus well under a
// millisecond of transport. Uses DATABASE_URL when set, otherwise a throwaway embedded PostgreSQL.
// @pulseboard/devstack depends on this package, so it is not declared here (that would be a
// cycle); it resolves through the workspace root, which declares it.
import {
  benchDatabase,
  onCleanup,
  percentile,
  progress,
  reportResults,
  runBench,
} from "@pulseboard/devstack/bench";
import { createDb, createPooledClient } from "../src/client";
import {
  chooseBucketSeconds,
  type RollupRequest,
  rollUpClosedMinutes,
  rollupFromReadings,
  rollupReadings,
} from "../src/queries/rollups";

const DAYS = Number(process.env.BENCH_DAYS ?? 30);
const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const WARMUP = 5;
const RAW_RUNS = 5;
const GOAL_MS = 100;
const DAY_S = 86_400;

async function timeRuns(runs: number, warmup: number, fn: () => Promise<unknown>) {
  for (let i = 0; i < warmup; i++) await fn();
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  return { p50: percentile(ms, 50), p95: percentile(ms, 95) };
}

async function main() {
  const database = await benchDatabase({ name: "pulseboard_bench_rollups", fresh: true, durable: false });
  onCleanup("database", () => database.close());
  const sql = createPooledClient(database.url, { max: 2, applicationName: "pulseboard-bench-rollups" });
  onCleanup("benchmark client", () => sql.end({ timeout: 5 }));
  // The query functions' handle, on a client of its own (Drizzle changes its client's timestamp parsing).
  const db = createDb(
    createPooledClient(database.url, { max: 2, applicationName: "pulseboard-bench-rollups" }),
  );
  onCleanup("query handle", () => db.$client.end({ timeout: 5 }));
  const ownerId = crypto.randomUUID();
  await sql`insert into "user" (id, name, email, updated_at) values (${ownerId}, 'bench', ${`${ownerId}@bench.local`}, now())`;
  const [device] = await sql<{ id: string }[]>`
    insert into devices (owner_id, name, device_key)
    values (${ownerId}, 'bench', encode(sha256(${ownerId}::bytea), 'hex')) returning id`;
  const deviceId = device?.id ?? "";

  // Readings as a device reporting once a second for DAYS days would have left them: each
  // arrived half a second after its timestamp, in order. One statement per day.
  const total = DAYS * DAY_S;
  progress(`loading ${total.toLocaleString()} readings (one metric, once a second, ${DAYS} days)…`);
  const [{ origin } = { origin: "" }] = await sql<{ origin: string }[]>`
    select to_char(date_trunc('second', now()) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as origin`;
  for (let day = DAYS - 1; day >= 0; day--) {
    await sql`
      insert into sensor_readings (device_id, metric, value, recorded_at, received_at)
      select ${deviceId}::uuid, 'temperature', round((20 + 5 * sin(g / 3600.0) + random())::numeric, 2), t,
             t + interval '0.5 seconds'
      from generate_series(${day * DAY_S + DAY_S}, ${day * DAY_S + 1}, -1) g,
           lateral (select ${origin}::timestamptz - make_interval(secs => g) as t) x`;
    if (day % 10 === 0) progress(`  ${DAYS - day}/${DAYS} days`);
  }
  // What autovacuum would have done over those days: statistics, and the BRIN index on
  // received_at summarised (autosummarize keeps up with live inserts, not with a bulk load).
  await sql`vacuum (analyze) sensor_readings`;

  // The roll-ups as the sweep would have run them: the first one three minutes before the last
  // reading (everything before is the backlog of an existing table), then one a minute later.
  // Charts then see two minutes of raw tail, as between two sweeps.
  const originMs = new Date(origin).getTime();
  let t0 = performance.now();
  const first = await rollUpClosedMinutes(db, { now: new Date(originMs - 120_000) });
  const firstMs = performance.now() - t0;
  progress(
    `first roll-up: ${first.readings.toLocaleString()} readings into ${first.rows.toLocaleString()} minute rows in ${Math.round(firstMs)} ms`,
  );
  await sql`analyze reading_rollups_1m`;
  t0 = performance.now();
  const next = await rollUpClosedMinutes(db, { now: new Date(originMs - 60_000) });
  const nextMs = performance.now() - t0;
  progress(`next roll-up, a minute later: ${next.readings} readings in ${nextMs.toFixed(1)} ms`);

  const now = new Date();
  const ranges = [
    ["1 h", 3600],
    ["24 h", DAY_S],
    ["7 d", 7 * DAY_S],
    [`${DAYS} d`, DAYS * DAY_S],
  ] as const;
  const request = (seconds: number): RollupRequest => {
    const from = new Date(now.getTime() - seconds * 1000);
    return {
      ownerId,
      deviceId,
      metric: "temperature",
      from,
      to: now,
      bucketSeconds: chooseBucketSeconds(from, now),
    };
  };
  const charts: { range: string; bucketSeconds: number; points: number; p50: number; p95: number }[] = [];
  for (const [range, seconds] of ranges) {
    const r = request(seconds);
    const points = (await rollupReadings(db, r)).length;
    const { p50, p95 } = await timeRuns(RUNS, WARMUP, () => rollupReadings(db, r));
    charts.push({ range, bucketSeconds: r.bucketSeconds, points, p50, p95 });
    progress(`  ${range}: ${p50.toFixed(1)} / ${p95.toFixed(1)} ms`);
  }
  const longest = request(DAYS * DAY_S);
  // The stored path must agree with the readings it summarises.
  const [stored, raw] = [await rollupReadings(db, longest), await rollupFromReadings(db, longest)];
  const agree =
    stored.length === raw.length &&
    stored.every(
      (p, i) =>
        p.t === raw[i]?.t &&
        p.count === raw[i]?.count &&
        p.min === raw[i]?.min &&
        p.max === raw[i]?.max &&
        Math.abs(p.avg - (raw[i]?.avg ?? Number.NaN)) < 1e-9,
    );
  const rawFigures = await timeRuns(RAW_RUNS, 1, () => rollupFromReadings(db, longest));
  progress(`  ${DAYS} d at query time from the readings: ${rawFigures.p50.toFixed(0)} ms`);

  const longestChart = charts.at(-1);
  const met = (longestChart?.p95 ?? Number.POSITIVE_INFINITY) < GOAL_MS;
  reportResults("rollups", {
    title: [
      `rollups: one device, one metric, ${total.toLocaleString()} readings over ${DAYS} days; ${RUNS} runs per chart after ${WARMUP} warm-up`,
      `  first roll-up ${Math.round(firstMs)} ms (${first.rows.toLocaleString()} minute rows); next roll-up ${nextMs.toFixed(1)} ms (${next.readings} readings)`,
      `  ${DAYS} d at query time from the readings (before stored rollups): p50 ${rawFigures.p50.toFixed(0)} ms, p95 ${rawFigures.p95.toFixed(0)} ms (${RAW_RUNS} runs)`,
      `  stored + tail equal to the readings' figures: ${agree ? "yes" : "NO"}`,
      `  goal: ${DAYS} d chart p95 < ${GOAL_MS} ms: ${met ? "met" : "NOT met"} (${longestChart?.p95.toFixed(1)} ms)`,
    ].join("\n"),
    header: ["chart", "bucket", "points", "p50 ms", "p95 ms"],
    rows: charts.map((c) => [
      c.range,
      `${c.bucketSeconds}s`,
      String(c.points),
      c.p50.toFixed(1),
      c.p95.toFixed(1),
    ]),
    figures: {
      readings: total,
      firstRollUpMs: Math.round(firstMs),
      minuteRows: first.rows,
      nextRollUpMs: Number(nextMs.toFixed(1)),
      nextRollUpReadings: next.readings,
      charts,
      queryTimeLongest: rawFigures,
      agree,
      goalMet: met,
    },
  });
  if (!agree) process.exitCode = 1;
}

await runBench(main);
