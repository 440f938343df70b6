// Part 3 of the ingest benchmark: the ingest as its own process, the simulator in this one.
// Per scenario: a saturation run (committed rows/s in a steady window, counted in the database),
// then, against a fresh ingest process and fresh devices, a run at half that rate for latency,
// memory and a loss check. Both runs end with a loss check of the readings themselves: every
// reading the simulator saw acknowledged (device, metric, device timestamp, value) looked up in
// sensor_readings (loss-check.ts, loss-verdict.ts).
import { fmt1, fmt2, fmtInt, percentile, progress, sleep } from "@pulseboard/devstack/bench";
import { AckedReadings, runSimulation, type SimulationCounters, type Transport } from "@pulseboard/simulator";
import type postgres from "postgres";
import { compareAckedReadings } from "./loss-check";
import { lossVerdict, type ReadingsComparison } from "./loss-verdict";
import {
  type CpuSnapshot,
  countRows,
  cpuSnapshot,
  cpuSplit,
  type DeviceSet,
  type ExternalBroker,
  type FlushStats,
  flushStats,
  gcPauses,
  highWaterMb,
  type Pauses,
  type PgActivity,
  pgActivity,
  pgActivityDelta,
  type RunningIngest,
  resetReadings,
  runId,
  sampleRss,
  startIngest,
  watchBuffer,
  watchEventLoop,
} from "./support";

const numberFromEnv = (name: string, fallback: number) => {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
};

export const TIMINGS = {
  /** Saturation: warm-up excluded, then the measured window. */
  warmupMs: numberFromEnv("BENCH_WARMUP_MS", 3000),
  windowMs: numberFromEnv("BENCH_WINDOW_MS", 12_000),
  /** The half-load run; acknowledgements of its first second are not counted in the latencies. */
  halfMs: numberFromEnv("BENCH_HALF_MS", 10_000),
  latencySkipMs: 1000,
};

export type ScenarioId = "a" | "b" | "c";

export interface ScenarioSpec {
  id: ScenarioId;
  name: string;
  /** Minimum ratio of committed rows/s to the ceiling. */
  goal: number;
  devices: number;
  readingsPerMessage: number;
  /**
   * Body shape: always one carrying the device's timestamps (`timed` {ts, values}, `readings`
   * [{metric, value, ts}]), so the sender knows each reading's recorded_at for the loss check.
   */
  shape: "timed" | "readings";
  /** Saturation: tick interval and messages a device may have unacknowledged. */
  saturation: { intervalMs: number; maxInFlightPerDevice: number };
  external: boolean;
}

export const SCENARIOS: ScenarioSpec[] = [
  {
    id: "a",
    name: "built-in broker, MQTT QoS 1, 1000 devices × 4 readings",
    goal: 0.5,
    devices: 1000,
    readingsPerMessage: 4,
    shape: "timed",
    saturation: { intervalMs: numberFromEnv("BENCH_MQTT_INTERVAL_MS", 20), maxInFlightPerDevice: 4 },
    external: false,
  },
  {
    id: "b",
    name: "HTTP, 50 devices × 100 readings per request",
    goal: 0.6,
    devices: 50,
    readingsPerMessage: 100,
    shape: "readings",
    saturation: { intervalMs: numberFromEnv("BENCH_HTTP_INTERVAL_MS", 5), maxInFlightPerDevice: 3 },
    external: false,
  },
  {
    id: "c",
    name: "external broker (Mosquitto, shared subscription), QoS 1, 1000 devices × 4 readings",
    goal: 0.3,
    devices: 1000,
    readingsPerMessage: 4,
    shape: "timed",
    saturation: { intervalMs: numberFromEnv("BENCH_MQTT_INTERVAL_MS", 20), maxInFlightPerDevice: 4 },
    external: true,
  },
];

export interface SaturationResult {
  rowsPerSecond: number;
  messagesPerSecond: number;
  ratio: number;
  goalMet: boolean;
  windowSeconds: number;
  /** What the simulator offered at most (external broker: a cap, the broker acknowledges on receipt). */
  offeredMessagesPerSecond?: number;
  /** Cores used in the window: ingest, self (simulator), mosquitto, rest (PostgreSQL and the rest). */
  cpuCores: Record<string, number>;
  peakRssMb: number;
  /** The ingest's resident memory once ready, before any load. */
  idleRssMb: number;
  flushes?: FlushStats;
  /** Most rows waiting in the ingest's writer buffer (BUFFER_MAX_ROWS caps it), polled every 500 ms. */
  maxBufferedRows: number;
  /** Autovacuums, autoanalyzes of sensor_readings and checkpoints during the window. */
  postgres: PgActivity;
  /** The ingest's GC pauses and this process's event-loop delay during the window. */
  ingestGc: Pauses;
  simulatorEventLoop: { p99Ms: number; maxMs: number };
  counters: SimulationCounters;
  /** Readings acknowledged to the devices during the run (by the ingest, or the external broker). */
  acknowledged: number;
  /** Rows stored for the run's devices once everything was drained. */
  stored: number;
  /** The acknowledged readings looked up one by one in sensor_readings (after the drain). */
  lossCheck: LossCheck;
  /** Every acknowledged reading stored, with the value sent. */
  lossFree: boolean;
}

export interface LossCheck extends ReadingsComparison {
  /** Waiting for the stored count to settle (the ingest flushing, the broker's backlog). */
  drainSeconds: number;
  /** Loading the acknowledged readings and comparing them. */
  compareSeconds: number;
}

export interface HalfLoadResult {
  ratePerSecond: number;
  seconds: number;
  /** `puback/202`: the acknowledgement, sent after commit; `commit timestamp`: PostgreSQL's. */
  latencySource: string;
  latencySamples: number;
  p50Ms: number;
  p99Ms: number;
  p99GoalMet: boolean;
  /** External broker only: publish to the broker's PUBACK (not a commit). */
  brokerAckP50Ms?: number;
  brokerAckP99Ms?: number;
  /** Built-in broker: publish-to-commit from commit timestamps, beside the PUBACK latency. */
  commitP50Ms?: number;
  commitP99Ms?: number;
  peakRssMb: number;
  idleRssMb: number;
  cpuCores: Record<string, number>;
  flushes?: FlushStats;
  /** p99 and max acknowledgement latency per second of the run (built-in broker and HTTP). */
  timeline: { second: number; messages: number; p99Ms: number; maxMs: number }[];
  maxBufferedRows: number;
  postgres: PgActivity;
  ingestGc: Pauses;
  simulatorEventLoop: { p99Ms: number; maxMs: number };
  /** Readings in acknowledged messages. */
  expected: number;
  /** Rows stored for the run's devices. */
  found: number;
  lossCheck: LossCheck;
  /** Every acknowledged reading stored, with the value sent. */
  lossFree: boolean;
  counters: SimulationCounters;
}

export interface ScenarioResult {
  id: ScenarioId;
  name: string;
  goal: number;
  skipped?: string;
  saturation?: SaturationResult;
  halfLoad?: HalfLoadResult;
}

export interface ScenarioContext {
  sql: postgres.Sql;
  databaseUrl: string;
  alerterUrl: string;
  ceilingRowsPerSecond: number;
  commitTimestamps: boolean;
  broker?: ExternalBroker;
  /** External broker: subscriber connections the ingest opens (for ending their sessions). */
  subscribers: number;
}

const nowMs = () => performance.timeOrigin + performance.now();

async function timedCount(sql: postgres.Sql): Promise<{ n: number; at: number }> {
  const before = performance.now();
  const n = await countRows(sql);
  return { n, at: (before + performance.now()) / 2 };
}

function transportFor(spec: ScenarioSpec, ingest: RunningIngest, broker?: ExternalBroker): Transport {
  if (spec.id === "b")
    return { kind: "http", url: ingest.httpUrl, readingsPerRequest: spec.readingsPerMessage };
  // The lean publisher: the generator runs on the cores it measures, and mqtt.js costs it more.
  const url = spec.external && broker ? broker.url : ingest.mqttUrl;
  return { kind: "mqtt", url, qos: 1, client: "lean" };
}

function describeCpu(cores: Record<string, number>): string {
  const names: Record<string, string> = {
    ingest: "ingest",
    self: "simulator",
    mosquitto: "mosquitto",
    rest: "postgres+rest",
  };
  return Object.entries(names)
    .filter(([k]) => cores[k] !== undefined)
    .map(([k, label]) => `${label} ${fmt2(cores[k] ?? Number.NaN)}`)
    .concat(`machine ${fmt2(cores.machine ?? Number.NaN)} of 2`)
    .join(", ");
}

function describeFlushes(f: FlushStats | undefined): string {
  if (!f) return "flush metrics unavailable";
  return `${fmtInt(f.flushes)} flushes, mean ${fmtInt(f.meanRows)} rows and ${fmt1(f.meanMs)} ms each, p99 ≤ ${fmtInt(f.p99BucketMs)} ms`;
}

/** Per-second p99 and max of `acks` ([sentAt epoch ms, latency ms]) from `fromMs`. */
function timelineOf(acks: [number, number][], fromMs: number) {
  const buckets = new Map<number, number[]>();
  for (const [sentAt, ms] of acks) {
    const second = Math.floor((sentAt - fromMs) / 1000);
    const list = buckets.get(second) ?? [];
    list.push(ms);
    buckets.set(second, list);
  }
  return [...buckets.entries()]
    .sort(([a], [b]) => a - b)
    .map(([second, list]) => ({
      second,
      messages: list.length,
      p99Ms: percentile(list, 99),
      maxMs: Math.max(...list),
    }));
}

function describePg(pg: PgActivity): string {
  return `${pg.autovacuum} autovacuum, ${pg.autoanalyze} autoanalyze of sensor_readings, ${Number.isNaN(pg.checkpoints) ? "?" : pg.checkpoints} checkpoints`;
}

function describePauses(gc: Pauses, loop: { p99Ms: number; maxMs: number }): string {
  return `ingest GC ${fmtInt(gc.count)} pauses, ${fmtInt(gc.totalMs)} ms in all, max ${fmt1(gc.maxMs)} ms, ${gc.over50ms} ≥ 50 ms; simulator event-loop delay p99 ${fmt1(loop.p99Ms)} ms, max ${fmt1(loop.maxMs)} ms`;
}

function errorsOf(counters: SimulationCounters): string {
  const entries = Object.entries(counters.errors);
  return entries.length === 0 ? "" : `, errors ${entries.map(([k, v]) => `${k}=${v}`).join(" ")}`;
}

/** Ends the ingest process and, in external mode, its persistent sessions at the broker. */
async function stopIngest(ctx: ScenarioContext, ingest: RunningIngest, clientId: string | undefined) {
  await ingest.stop();
  if (ctx.broker && clientId) {
    await ctx.broker.forgetSessions(Array.from({ length: ctx.subscribers }, (_, i) => `${clientId}-${i}`));
  }
}

/** An empty readings table and a new ingest process (in external mode, with its own client id). */
async function freshIngest(
  ctx: ScenarioContext,
  spec: ScenarioSpec,
  phase: "sat" | "half",
): Promise<{ ingest: RunningIngest; clientId: string | undefined }> {
  await resetReadings(ctx.sql);
  const clientId = spec.external ? `pulseboard-bench-${runId}-${spec.id}-${phase}` : undefined;
  const ingest = await startIngest({
    databaseUrl: ctx.databaseUrl,
    alerterUrl: ctx.alerterUrl,
    mqttUrl: spec.external ? ctx.broker?.url : undefined,
    clientId,
  });
  return { ingest, clientId };
}

async function saturation(
  ctx: ScenarioContext,
  spec: ScenarioSpec,
  devices: DeviceSet,
): Promise<SaturationResult> {
  const { ingest, clientId } = await freshIngest(ctx, spec, "sat");
  let stopped = false;
  try {
    const rss = sampleRss(ingest.pid);
    const idleRssMb = rss.stop();
    const peak = sampleRss(ingest.pid);
    // The external broker acknowledges on receipt, so the ingest cannot slow the devices down: cap
    // the offer at the ceiling's rate (more than the ingest takes, well above the goal). The excess
    // waits at the broker or in the ingest's buffer and goes with the sessions afterwards.
    const offered = spec.external
      ? (ctx.ceilingRowsPerSecond * numberFromEnv("BENCH_EXTERNAL_OFFER", 1)) / spec.readingsPerMessage
      : undefined;
    const acked = new AckedReadings(devices.keys);
    const sim = await runSimulation({
      devices: devices.keys.map((key) => ({ key, profile: "environment" as const })),
      transport: transportFor(spec, ingest, ctx.broker),
      shape: spec.shape,
      intervalMs: spec.saturation.intervalMs,
      maxInFlightPerDevice: spec.saturation.maxInFlightPerDevice,
      ratePerSecond: offered,
      seed: 1,
      clientIdPrefix: `bench-${runId}-${spec.id}-sat-`,
      onAck: (key, _sentAt, _ackedAt, readings) => acked.add(key, readings),
    });
    progress(
      `  saturation: ${spec.devices} devices sending (interval ${spec.saturation.intervalMs} ms, ≤ ${spec.saturation.maxInFlightPerDevice} in flight each${offered ? `, capped at ${fmtInt(offered)} msg/s` : ""}; ${describeShape(spec)}; every acknowledged reading recorded for the loss check); warm-up ${TIMINGS.warmupMs / 1000} s, window ${TIMINGS.windowMs / 1000} s`,
    );
    await sleep(TIMINGS.warmupMs);
    const pids = { ingest: ingest.pid, mosquitto: ctx.broker?.pid };
    const pgStart = await pgActivity(ctx.sql);
    const start = await timedCount(ctx.sql);
    const outputAt = ingest.proc.output().length;
    const loop = watchEventLoop();
    const buffer = watchBuffer(ingest.httpUrl);
    const cpuStart: CpuSnapshot = cpuSnapshot(pids);
    await sleep(TIMINGS.windowMs);
    const cpuEnd = cpuSnapshot(pids);
    const simulatorEventLoop = loop.stop();
    const ingestGc = gcPauses(ingest.proc.output().slice(outputAt));
    const end = await timedCount(ctx.sql);
    const maxBufferedRows = await buffer.stop();
    const pg = pgActivityDelta(pgStart, await pgActivity(ctx.sql));
    const flushes = await flushStats(ingest.httpUrl);
    const counters = await sim.stop();
    // Acknowledged against stored, at saturation: the external broker acknowledged every message
    // on receipt and queued what the ingest could not take yet, so all of it must reach the table
    // once the ingest drains the queue (a broker that drops queued messages shows here as LOSS).
    const acknowledged = counters.readingsAcked;
    const drainStarted = Date.now();
    await settledCount(ctx.sql, devices.ids, acknowledged, spec.external ? 180_000 : 10_000);
    const drainSeconds = (Date.now() - drainStarted) / 1000;
    const peakRssMb = Math.max(peak.stop(), highWaterMb(ingest.pid));
    const lossCheck = await checkLoss(ctx.sql, acked, devices, acknowledged, drainSeconds);
    const verdict = lossVerdict(lossCheck);
    await stopIngest(ctx, ingest, clientId);
    stopped = true;
    const windowSeconds = (end.at - start.at) / 1000;
    const rowsPerSecond = (end.n - start.n) / windowSeconds;
    const ratio = rowsPerSecond / ctx.ceilingRowsPerSecond;
    const cpuCores = cpuSplit(cpuStart, cpuEnd);
    progress(
      `  saturation: ${fmtInt(rowsPerSecond)} rows/s committed (${fmtInt(rowsPerSecond / spec.readingsPerMessage)} msg/s), ${fmt2(ratio)} of the ceiling; ingest RSS ${fmt1(idleRssMb)} MB idle, ${fmt1(peakRssMb)} MB peak`,
    );
    progress(`  saturation CPU (cores): ${describeCpu(cpuCores)}`);
    progress(
      `  saturation ingest: ${describeFlushes(flushes)}; buffer ≤ ${fmtInt(maxBufferedRows)} rows; PostgreSQL: ${describePg(pg)}`,
    );
    progress(`  saturation pauses: ${describePauses(ingestGc, simulatorEventLoop)}`);
    progress(
      `  saturation simulator: sent ${fmtInt(counters.sent)}, acked ${fmtInt(counters.acked)}, failed ${fmtInt(counters.failed)}, skipped ticks ${fmtInt(counters.skipped)}${errorsOf(counters)}`,
    );
    progress(`  saturation loss check (${describeCheck(lossCheck)}): ${verdict.line}`);
    return {
      rowsPerSecond,
      messagesPerSecond: rowsPerSecond / spec.readingsPerMessage,
      ratio,
      goalMet: ratio >= spec.goal,
      windowSeconds,
      ...(offered ? { offeredMessagesPerSecond: offered } : {}),
      cpuCores,
      peakRssMb,
      idleRssMb,
      ...(flushes ? { flushes } : {}),
      maxBufferedRows,
      postgres: pg,
      ingestGc,
      simulatorEventLoop,
      counters,
      acknowledged,
      stored: lossCheck.stored,
      lossCheck,
      lossFree: verdict.lossFree,
    };
  } finally {
    if (!stopped) await stopIngest(ctx, ingest, clientId).catch(() => {});
  }
}

function describeShape(spec: ScenarioSpec): string {
  return spec.shape === "timed"
    ? "bodies {ts, values}: device-timestamped"
    : "bodies {readings: [{metric, value, ts}]}: device-timestamped";
}

function describeCheck(c: LossCheck): string {
  return `each reading by device, metric, device timestamp and value; ${fmt1(c.drainSeconds)} s drain, compared in ${fmt1(c.compareSeconds)} s`;
}

/** The acknowledged readings against the stored ones (after the drain), timed. */
async function checkLoss(
  sql: postgres.Sql,
  acked: AckedReadings,
  devices: DeviceSet,
  acknowledged: number,
  drainSeconds: number,
): Promise<LossCheck> {
  const started = performance.now();
  const comparison = await compareAckedReadings(sql, acked, devices.ids, acknowledged);
  return { ...comparison, drainSeconds, compareSeconds: (performance.now() - started) / 1000 };
}

/** Rows of `deviceIds` once they stop changing (and reach `expected`), or at `timeoutMs`. */
async function settledCount(
  sql: postgres.Sql,
  deviceIds: string[],
  expected: number,
  timeoutMs: number,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let last = await countRows(sql, deviceIds);
  for (;;) {
    await sleep(300);
    const n = await countRows(sql, deviceIds);
    if ((n === last && n >= expected) || Date.now() > deadline) return n;
    last = n;
  }
}

/**
 * p50 and p99 of publish-to-commit from PostgreSQL's commit timestamps (one row per message), by
 * the same nearest-rank rule as `percentile` (percentile_disc: the first value at or past p).
 */
async function commitLatency(
  sql: postgres.Sql,
  deviceIds: string[],
  fromMs: number,
): Promise<{ n: number; p50: number; p99: number }> {
  const [row] = await sql<{ n: number; p50: number | null; p99: number | null }[]>`
    select count(*)::int as n,
      percentile_disc(0.5) within group (order by ms) as p50,
      percentile_disc(0.99) within group (order by ms) as p99
    from (
      select (extract(epoch from pg_xact_commit_timestamp(xmin)) - extract(epoch from recorded_at))::float8 * 1000 as ms
      from sensor_readings
      where device_id = any(${deviceIds}::uuid[]) and metric = 'temperature'
        and recorded_at >= to_timestamp(${fromMs / 1000})
    ) t`;
  return { n: row?.n ?? 0, p50: row?.p50 ?? Number.NaN, p99: row?.p99 ?? Number.NaN };
}

async function halfLoad(
  ctx: ScenarioContext,
  spec: ScenarioSpec,
  devices: DeviceSet,
  messagesPerSecond: number,
): Promise<HalfLoadResult> {
  const { ingest, clientId } = await freshIngest(ctx, spec, "half");
  let stopped = false;
  try {
    const idleRssMb = sampleRss(ingest.pid).stop();
    const rss = sampleRss(ingest.pid);
    const ratePerSecond = Math.max(1, messagesPerSecond / 2);
    const acks: [number, number][] = [];
    const acked = new AckedReadings(devices.keys);
    let measureFrom = Number.POSITIVE_INFINITY;
    const sim = await runSimulation({
      devices: devices.keys.map((key) => ({ key, profile: "environment" as const })),
      transport: transportFor(spec, ingest, ctx.broker),
      shape: spec.shape,
      intervalMs: 1,
      ratePerSecond,
      durationMs: TIMINGS.halfMs,
      maxInFlightPerDevice: 16,
      seed: 2,
      clientIdPrefix: `bench-${runId}-${spec.id}-half-`,
      onAck: (key, sentAtMs, ackedAtMs, readings) => {
        if (sentAtMs >= measureFrom) acks.push([sentAtMs, ackedAtMs - sentAtMs]);
        acked.add(key, readings);
      },
    });
    measureFrom = nowMs() + TIMINGS.latencySkipMs;
    progress(
      `  half load: ${fmtInt(ratePerSecond)} msg/s (${fmtInt(ratePerSecond * spec.readingsPerMessage)} rows/s) for ${TIMINGS.halfMs / 1000} s; ${describeShape(spec)}`,
    );
    const pids = { ingest: ingest.pid, mosquitto: ctx.broker?.pid };
    const pgStart = await pgActivity(ctx.sql);
    const outputAt = ingest.proc.output().length;
    const loop = watchEventLoop();
    const buffer = watchBuffer(ingest.httpUrl);
    const cpuStart = cpuSnapshot(pids);
    const counters = await sim.done;
    const maxBufferedRows = await buffer.stop();
    const cpuEnd = cpuSnapshot(pids);
    const simulatorEventLoop = loop.stop();
    const ingestGc = gcPauses(ingest.proc.output().slice(outputAt));
    const pg = pgActivityDelta(pgStart, await pgActivity(ctx.sql));
    const flushes = await flushStats(ingest.httpUrl);
    const expected = counters.readingsAcked;
    // Built-in broker and HTTP acknowledge after commit; the external broker on receipt, so wait
    // for the ingest to drain what the broker still holds.
    const drainStarted = Date.now();
    await settledCount(ctx.sql, devices.ids, expected, spec.external ? 30_000 : 3000);
    const drainSeconds = (Date.now() - drainStarted) / 1000;
    const peakRssMb = rss.stop();
    const lossCheck = await checkLoss(ctx.sql, acked, devices, expected, drainSeconds);
    const verdict = lossVerdict(lossCheck);
    const found = lossCheck.stored;

    let latencySource = "PUBACK / 202 (sent after commit)";
    const latencies = acks.map(([, ms]) => ms);
    let p50 = percentile(latencies, 50);
    let p99 = percentile(latencies, 99);
    let samples = acks.length;
    const extra: Partial<HalfLoadResult> = {};
    if (spec.external) {
      extra.brokerAckP50Ms = p50;
      extra.brokerAckP99Ms = p99;
      if (ctx.commitTimestamps) {
        const c = await commitLatency(ctx.sql, devices.ids, measureFrom);
        latencySource = "device timestamp → PostgreSQL commit timestamp";
        [p50, p99, samples] = [c.p50, c.p99, c.n];
      } else {
        latencySource = "unavailable (track_commit_timestamp is off; the broker acknowledges on receipt)";
        [p50, p99, samples] = [Number.NaN, Number.NaN, 0];
      }
    } else if (spec.id === "a" && ctx.commitTimestamps) {
      const c = await commitLatency(ctx.sql, devices.ids, measureFrom);
      extra.commitP50Ms = c.p50;
      extra.commitP99Ms = c.p99;
    }
    const cpuCores = cpuSplit(cpuStart, cpuEnd);
    // After the final flushes: the settled count above waited for them.
    const finalFlushes = (await flushStats(ingest.httpUrl)) ?? flushes;
    await stopIngest(ctx, ingest, clientId);
    stopped = true;
    const timeline = spec.external ? [] : timelineOf(acks, measureFrom);
    const result: HalfLoadResult = {
      ratePerSecond,
      seconds: TIMINGS.halfMs / 1000,
      latencySource,
      latencySamples: samples,
      p50Ms: p50,
      p99Ms: p99,
      p99GoalMet: Number.isFinite(p99) && p99 < 100,
      ...extra,
      peakRssMb,
      idleRssMb,
      cpuCores,
      ...(finalFlushes ? { flushes: finalFlushes } : {}),
      timeline,
      maxBufferedRows,
      postgres: pg,
      ingestGc,
      simulatorEventLoop,
      expected,
      found,
      lossCheck,
      lossFree: verdict.lossFree,
      counters,
    };
    progress(
      `  half load: publish-to-commit p50 ${fmt1(p50)} ms, p99 ${fmt1(p99)} ms (${fmtInt(samples)} messages; ${latencySource})`,
    );
    if (extra.brokerAckP50Ms !== undefined)
      progress(
        `  half load: publish-to-broker-PUBACK p50 ${fmt1(extra.brokerAckP50Ms)} ms, p99 ${fmt1(extra.brokerAckP99Ms ?? Number.NaN)} ms (not a commit)`,
      );
    if (extra.commitP50Ms !== undefined)
      progress(
        `  half load: cross-check from commit timestamps: p50 ${fmt1(extra.commitP50Ms)} ms, p99 ${fmt1(extra.commitP99Ms ?? Number.NaN)} ms`,
      );
    if (timeline.length > 0) {
      const worst = timeline.reduce((a, b) => (b.p99Ms > a.p99Ms ? b : a));
      progress(
        `  half load: per-second p99 ${timeline.map((t) => fmtInt(t.p99Ms)).join(" ")} ms (worst second ${worst.second + 1}: max ${fmtInt(worst.maxMs)} ms)`,
      );
    }
    progress(
      `  half load CPU (cores): ${describeCpu(cpuCores)}; ingest RSS ${fmt1(idleRssMb)} MB idle, ${fmt1(peakRssMb)} MB peak`,
    );
    progress(
      `  half load ingest: ${describeFlushes(finalFlushes)}; buffer ≤ ${fmtInt(maxBufferedRows)} rows; PostgreSQL: ${describePg(pg)}`,
    );
    progress(`  half load pauses: ${describePauses(ingestGc, simulatorEventLoop)}`);
    progress(
      `  half load: sent ${fmtInt(counters.sent)}, acked ${fmtInt(counters.acked)}, failed ${fmtInt(counters.failed)}${errorsOf(counters)}`,
    );
    progress(`  half load loss check (${describeCheck(lossCheck)}): ${verdict.line}`);
    return result;
  } finally {
    if (!stopped) await stopIngest(ctx, ingest, clientId).catch(() => {});
  }
}

export async function runScenario(
  ctx: ScenarioContext,
  spec: ScenarioSpec,
  saturationDevices: DeviceSet,
  halfLoadDevices: DeviceSet,
): Promise<ScenarioResult> {
  const result: ScenarioResult = { id: spec.id, name: spec.name, goal: spec.goal };
  progress(`3${spec.id}. ${spec.name}`);
  if (spec.external && !ctx.broker) {
    result.skipped = "no Mosquitto (/usr/sbin/mosquitto) and no MQTT_BENCH_BROKER_URL";
    progress(`  skipped: ${result.skipped}`);
    return result;
  }
  result.saturation = await saturation(ctx, spec, saturationDevices);
  result.halfLoad = await halfLoad(ctx, spec, halfLoadDevices, result.saturation.messagesPerSecond);
  return result;
}
