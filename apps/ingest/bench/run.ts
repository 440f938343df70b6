// `pnpm --filter @pulseboard/ingest bench` (and `pnpm bench`): what the ingest sustains, side by side.
//   1. insert methods: the same 200k rows into sensor_readings by multi-row VALUES, unnest arrays
//      and COPY via a temporary table (all `on conflict do nothing`, prepare: false);
//   2. the ceiling: the ingest's own statement (insertReadings) straight from this script;
//   3. end to end, the ingest as its own process and the simulator here: (a) the built-in broker,
//      (b) HTTP, (c) an external Mosquitto — saturation rows/s, then half that load for latency,
//      memory and a loss check;
//   4. a summary table against the goals, also written to bench-results/ingest.json.
// Prints figures; asserts nothing. Uses DATABASE_URL when set (a database `pulseboard_bench_ingest`
// is created there), otherwise a throwaway embedded PostgreSQL under /tmp. Ingest settings
// (FLUSH_MAX_ROWS, FLUSH_INTERVAL_MS, FLUSH_MAX_IN_FLIGHT, MQTT_SUBSCRIBERS, DB_POOL_MAX, ...) set
// in the environment are passed to the ingest, for tuning runs.
//
// Knobs: MQTT_BENCH_BROKER_URL (an external broker instead of a private Mosquitto), BENCH_ONLY=a,c
// (some scenarios only), BENCH_WARMUP_MS / BENCH_WINDOW_MS / BENCH_HALF_MS (run lengths),
// BENCH_MQTT_INTERVAL_MS / BENCH_HTTP_INTERVAL_MS (saturation tick), BENCH_EXTERNAL_OFFER (the
// external-broker offer as a fraction of the ceiling), and for diagnosis BENCH_AUTOVACUUM=off and
// BENCH_INGEST_CPU_PROFILE=<folder> (a CPU profile of each ingest process, ./cpu-profile.mjs) and
// BENCH_INGEST_NODE_OPTIONS (other node options).
import { cpus } from "node:os";
import { fmt1, fmt2, fmtInt, onCleanup, progress, reportResults, runBench } from "@pulseboard/devstack/bench";
import { INGEST_NODE_FLAGS } from "@pulseboard/devstack/node-flags";
import postgres from "postgres";
import { runScenario, SCENARIOS, type ScenarioContext, type ScenarioResult, TIMINGS } from "./end-to-end";
import { type InsertFigures, measureInserts } from "./insert-methods";
import { lossVerdict } from "./loss-verdict";
import {
  provisionDevices,
  startAlerterStub,
  startDatabase,
  startExternalBroker,
  tunedSettings,
} from "./support";

const BATCH = 5000;
const P99_GOAL_MS = 100;

const SUMMARY_HEADER = [
  "scenario",
  "rows/s",
  "ratio to ceiling",
  "goal",
  "p50 ms",
  "p99 ms",
  "peak RSS MB",
  "acknowledged (half · saturation)",
  "stored",
];

function summaryRows(inserts: InsertFigures, scenarios: ScenarioResult[]): string[][] {
  const rows: string[][] = [
    [
      `ceiling: insertReadings, ${inserts.ceiling.connections} connections`,
      fmtInt(inserts.ceiling.rowsPerSecond),
      "1.00",
      "",
      "",
      "",
      "",
      "",
      "",
    ],
  ];
  for (const s of scenarios) {
    const label = `(${s.id}) ${s.id === "a" ? "built-in MQTT QoS 1" : s.id === "b" ? "HTTP ×100" : "external Mosquitto QoS 1"}`;
    if (s.skipped || !s.saturation || !s.halfLoad) {
      rows.push([label, `skipped: ${s.skipped ?? "not run"}`, "", "", "", "", "", "", ""]);
      continue;
    }
    const sat = s.saturation;
    const half = s.halfLoad;
    rows.push([
      label,
      fmtInt(sat.rowsPerSecond),
      fmt2(sat.ratio),
      `≥ ${s.goal.toFixed(1)} ${sat.goalMet ? "met" : "NOT met"}`,
      fmt1(half.p50Ms),
      Number.isFinite(half.p99Ms)
        ? `${fmt1(half.p99Ms)} (< ${P99_GOAL_MS} ${half.p99GoalMet ? "met" : "NOT met"})`
        : "n/a (not measurable)",
      fmt1(half.peakRssMb),
      `${fmtInt(half.expected)} · sat ${fmtInt(sat.acknowledged)}`,
      `${fmtInt(half.found)} ${lossVerdict(half.lossCheck).word} · sat ${fmtInt(sat.stored)} ${lossVerdict(sat.lossCheck).word}`,
    ]);
  }
  return rows;
}

async function main(): Promise<void> {
  const settings = tunedSettings();
  progress(
    `ingest benchmark: ${cpus().length} cores, Node ${process.version}; ingest settings: ${
      Object.keys(settings).length > 0
        ? Object.entries(settings)
            .map(([k, v]) => `${k}=${v}`)
            .join(" ")
        : "defaults (FLUSH_MAX_ROWS 5000, FLUSH_INTERVAL_MS 20, FLUSH_MAX_IN_FLIGHT 2, MQTT_SUBSCRIBERS 4, DB_POOL_MAX 5, EVALUATION_INTERVAL_MS 50, RULES_CACHE_MS 1000)"
    }`,
  );
  const db = await startDatabase();
  progress(`database: ${db.description}, migrated`);
  const sql = postgres(db.directUrl, { max: 2, onnotice: () => {} });
  onCleanup("benchmark client", () => sql.end({ timeout: 5 }));

  // Every part gets its own devices, so counts are unambiguous.
  const methodDevices = await provisionDevices(sql, 1000, "insert-methods");
  const scenarioDevices = new Map<string, { saturation: typeof methodDevices; half: typeof methodDevices }>();
  for (const spec of SCENARIOS) {
    scenarioDevices.set(spec.id, {
      saturation: await provisionDevices(sql, spec.devices, `${spec.id}-saturation`),
      half: await provisionDevices(sql, spec.devices, `${spec.id}-half`),
    });
  }
  progress(`provisioned ${1000 + SCENARIOS.reduce((n, s) => n + 2 * s.devices, 0)} devices`);

  const inserts = await measureInserts(db.url, methodDevices.ids, BATCH);

  progress(
    `3. end to end: the ingest as its own process (node ${INGEST_NODE_FLAGS.join(" ")} src/server.ts, as pnpm start runs it; LOG_LEVEL=warn), the simulator in this process (over MQTT, its lean publisher: one socket per device, each PUBLISH written into one buffer, without mqtt.js's client machinery)`,
  );
  const alerterUrl = await startAlerterStub();
  const broker = await startExternalBroker();
  if (broker) progress(`external broker: ${broker.description} at ${broker.url}`);
  const ctx: ScenarioContext = {
    sql,
    databaseUrl: db.url,
    alerterUrl,
    ceilingRowsPerSecond: inserts.ceiling.rowsPerSecond,
    commitTimestamps: db.commitTimestamps,
    broker,
    subscribers: Number(settings.MQTT_SUBSCRIBERS ?? 4),
  };
  // BENCH_ONLY=a,c runs only those scenarios (for tuning runs).
  const only = process.env.BENCH_ONLY?.split(",").map((s) => s.trim());
  const scenarios: ScenarioResult[] = [];
  for (const spec of SCENARIOS) {
    const devices = scenarioDevices.get(spec.id);
    if (!devices || (only && !only.includes(spec.id))) continue;
    scenarios.push(await runScenario(ctx, spec, devices.saturation, devices.half));
  }

  const figures = {
    generatedAt: new Date().toISOString(),
    machine: { cores: cpus().length, node: process.version },
    database: db.description,
    externalBroker: broker?.description ?? null,
    ingestSettings: settings,
    ingestNodeFlags: INGEST_NODE_FLAGS,
    timings: TIMINGS,
    batch: BATCH,
    insertMethods: inserts.methods,
    fastestMethod: inserts.fastest,
    ceiling: inserts.ceiling,
    oneConnection: inserts.oneConnection,
    preloadedReadings: db.preloaded,
    goals: { ratio: { a: 0.5, b: 0.6, c: 0.3 }, p99Ms: P99_GOAL_MS, loss: 0 },
    scenarios,
  };
  reportResults("ingest", {
    title: [
      `insert methods (${fmtInt(inserts.oneConnection.rows)} rows, batches of ${BATCH}): ${inserts.methods
        .map((m) => `${m.method.replace(/^\(\w+\)\s+/, "")} ${fmtInt(m.rowsPerSecond)} rows/s`)
        .join(" | ")} → fastest: ${inserts.fastest.replace(/^\(\w+\)\s+/, "")}`,
      `database: ${db.description}`,
      `ceiling: ${fmtInt(inserts.ceiling.rowsPerSecond)} rows/s (insertReadings, ${fmtInt(inserts.ceiling.rows)} rows in batches of ${BATCH}, ${inserts.ceiling.connections} connections at once = FLUSH_MAX_IN_FLIGHT, into the table holding ${fmtInt(db.preloaded)} readings; ${inserts.ceiling.checkpoints} checkpoint(s) in its ${fmt1(inserts.ceiling.seconds)} s window); one connection: ${fmtInt(inserts.oneConnection.rowsPerSecond)} rows/s`,
      "loss check: the readings themselves: every reading in an acknowledged message (device, metric, device timestamp, value, as the simulator reported it with the acknowledgement; bodies always device-timestamped) looked up in sensor_readings: missing or stored with another value (compared as float8) = LOSS; stored but never seen acknowledged (committed, acknowledgement not seen before stop) reported, not a failure; duplicates impossible (primary key device, metric, recorded_at)",
      `goals: rows/s ≥ ratio × ceiling ((a) 0.5, (b) 0.6, (c) 0.3); p99 at half load < ${P99_GOAL_MS} ms; acknowledged = stored at half load and at saturation (no loss; saturation drains the backlog first)`,
    ].join("\n"),
    header: SUMMARY_HEADER,
    rows: summaryRows(inserts, scenarios),
    figures,
  });
}

await runBench(main);
