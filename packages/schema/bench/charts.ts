// `pnpm bench` (schema): the 30-day and 365-day chart of one series among 100 devices whose raw
// readings and roll-ups are interleaved as the ingest and the sweep write them (the shared bench
// data, @pulseboard/devstack/bench-data), through the real chart query (`rollupReadings`, with the
// bucket `chooseBucketSeconds` picks), ending at the data's last minute.
// - warm: BENCH_RUNS requests (default 30) after 5 unmeasured ones, each for a device picked in
//   turn among the 100 (so the figure is not one series' pages cached by its own repeats);
// - cold: BENCH_COLD_RUNS requests (default 8), each right after PostgreSQL is restarted and,
//   where /proc/sys/vm/drop_caches is writable, the OS page cache dropped (printed which).
// Goals (warm): 30 d p95 < 100 ms, 365 d p95 < 150 ms. Times are round trips on one connection
// to a local server.
// Also, warm: the latest value of every metric (`latestValues`: the dashboard's tiles for the
// owner's devices, the device page's for one), which reads every day partition of raw retention.
// @pulseboard/devstack depends on this package, so it is not declared here (that would be a
// cycle); it resolves through the workspace root, which declares it.
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
import { createDb, createPooledClient, type Database } from "../src/client";
import { latestValues } from "../src/queries/latest";
import { chooseBucketSeconds, rollupReadings } from "../src/queries/rollups";

const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const COLD_RUNS = Number(process.env.BENCH_COLD_RUNS ?? 8);
const WARMUP = 5;
const DAY_MS = 86_400_000;
const RANGES = [
  { label: "30 d", days: 30, goalMs: 100 },
  { label: "365 d", days: 365, goalMs: 150 },
];

async function main() {
  const server = await startBenchServer();
  onCleanup("bench server", () => server.stop());
  const { name: template, info } = await benchTemplate(server, benchDataParams());
  const database = "pulseboard_bench_charts";
  const url = await cloneBenchDatabase(server, template, database);
  onCleanup("bench database", () => dropBenchDatabase(server, database));
  let db: Database | undefined;
  const open = () => {
    db = createDb(createPooledClient(url, { max: 1, applicationName: "pulseboard-bench-charts" }));
    return db;
  };
  onCleanup("query handle", () => db?.$client.end({ timeout: 5 }));
  const to = new Date(info.end);
  // A deployment holds a day partition for each day of raw retention and three ahead; the bench
  // data fills its last days only: the others are made here, empty, as every read plans and
  // probes them all.
  const made = await makeRetentionPartitions(open(), info);
  progress(`day partitions made for the whole raw retention: ${made} (empty)`);
  const metric = info.params.metrics[0] ?? "temperature";
  const chart = (handle: Database, range: (typeof RANGES)[number], i: number) => {
    const from = new Date(to.getTime() - range.days * DAY_MS);
    return rollupReadings(handle, {
      ownerId: info.ownerId,
      deviceId: info.deviceIds[i % info.deviceIds.length] ?? "",
      metric,
      from,
      to,
      bucketSeconds: chooseBucketSeconds(from, to),
    });
  };

  const rows: string[][] = [];
  const figures: Record<string, unknown> = {};
  let cacheDropped = false;
  let restarted = false;
  for (const range of RANGES) {
    const from = new Date(to.getTime() - range.days * DAY_MS);
    const bucket = chooseBucketSeconds(from, to);
    // Cold: a restart (and the page cache dropped) before each request.
    const cold: number[] = [];
    let points = 0;
    for (let i = 0; i < COLD_RUNS; i++) {
      await db?.$client.end({ timeout: 5 });
      restarted = await server.restart();
      cacheDropped = dropPageCache();
      const handle = open();
      const t0 = performance.now();
      points = (await chart(handle, range, i * 7)).length;
      cold.push(performance.now() - t0);
    }
    const handle = db ?? open();
    for (let i = 0; i < WARMUP; i++) await chart(handle, range, i);
    const warm: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      await chart(handle, range, i);
      warm.push(performance.now() - t0);
    }
    const p95 = percentile(warm, 95);
    progress(
      `${range.label}: warm p50 ${fmt1(percentile(warm, 50))} / p95 ${fmt1(p95)} ms, cold p50 ${fmt1(percentile(cold, 50))} ms`,
    );
    rows.push([
      range.label,
      `${fmtInt(bucket / 60)} min`,
      fmtInt(points),
      fmt1(percentile(warm, 50)),
      `**${fmt1(p95)}**`,
      `< ${range.goalMs} ${p95 < range.goalMs ? "met" : "MISSED"}`,
      restarted ? fmt1(percentile(cold, 50)) : "n/a",
      restarted ? fmt1(percentile(cold, 95)) : "n/a",
    ]);
    figures[range.label] = { bucketSeconds: bucket, points, warm, cold: restarted ? cold : null };
  }
  // Latest values, warm, on the same connection.
  const handle = db ?? open();
  const latest = [
    {
      label: "latest values, 1 device",
      run: (i: number) => latestValues(handle, info.ownerId, info.deviceIds[i % info.deviceIds.length]),
    },
    {
      label: `latest values, the owner's ${info.deviceIds.length} devices`,
      run: () => latestValues(handle, info.ownerId),
    },
  ];
  for (const { label, run } of latest) {
    for (let i = 0; i < WARMUP; i++) await run(i);
    const warm: number[] = [];
    let values = 0;
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      values = (await run(i)).length;
      warm.push(performance.now() - t0);
    }
    progress(`${label}: warm p50 ${fmt1(percentile(warm, 50))} / p95 ${fmt1(percentile(warm, 95))} ms`);
    rows.push([
      label,
      "—",
      fmtInt(values),
      fmt1(percentile(warm, 50)),
      `**${fmt1(percentile(warm, 95))}**`,
      "—",
      "",
      "",
    ]);
    figures[label] = { values, warm };
  }
  const [counted] = await handle.$client<{ partitions: number }[]>`
    select count(*)::int as partitions from pg_inherits where inhparent = 'sensor_readings'::regclass`;
  const partitions = counted?.partitions ?? 0;

  const coldHow = restarted
    ? `cold = PostgreSQL restarted before each request${cacheDropped ? ", and the OS page cache dropped (sync; echo 3 > /proc/sys/vm/drop_caches)" : "; the OS page cache NOT dropped (not permitted here)"}`
    : "cold not measured (DATABASE_URL's server is not ours to restart)";
  const conditions = [
    `data: ${describeBenchData(info)}`,
    `server: ${server.description}`,
    `chart: one series (metric ${metric}), device picked in turn among ${info.deviceIds.length}, ending ${info.end}; warm = ${RUNS} requests after ${WARMUP}; ${coldHow}, ${COLD_RUNS} requests`,
    `latest values: warm only, ${RUNS} requests after ${WARMUP}, over ${partitions} day partitions of raw readings (${made} of them empty, made for the whole raw retention)`,
  ];
  reportResults("charts", {
    title: [
      "Charts through rollupReadings (ms, round trip on one local connection)",
      ...conditions.map((c) => `  ${c}`),
    ].join("\n"),
    header: ["chart", "bucket", "points", "warm p50", "warm p95", "goal (p95 ms)", "cold p50", "cold p95"],
    rows,
    figures: { conditions, ranges: figures, cacheDropped, restarted },
  });
}

await runBench(main);
