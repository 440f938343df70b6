// Plumbing for the ingest benchmark: its database (see startDatabase), device provisioning, the
// ingest as its own process, a private Mosquitto, memory, CPU and pause sampling. What every
// benchmark shares (database, progress, cleanups, percentiles, tables) is @pulseboard/devstack/bench.
// Everything started here registers its cleanup.
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { type BenchDatabase, onCleanup, progress, sleep } from "@pulseboard/devstack/bench";
import { type CpuSample, type CpuTarget, cpuCores, cpuSample } from "@pulseboard/devstack/bench-cpu";
import {
  benchDataParams,
  benchTemplate,
  cloneBenchDatabase,
  describeBenchData,
  dropBenchDatabase,
  startBenchServer,
} from "@pulseboard/devstack/bench-data";
import {
  forgetMqttSessions,
  MOSQUITTO_BINARY,
  shippedMosquittoSettings,
  startPrivateMosquitto,
  waitForBroker,
} from "@pulseboard/devstack/mosquitto";
import { INGEST_NODE_FLAGS } from "@pulseboard/devstack/node-flags";
import { type SpawnedProcess, spawnTs } from "@pulseboard/devstack/test/process";
import { findFreePort } from "@pulseboard/runtime/ports";
import { createDb } from "@pulseboard/schema/client";
import { ensurePartitions, listPartitions } from "@pulseboard/schema/queries/partitions";
import { deviceKeyDigest, generateDeviceKey } from "@pulseboard/schema/telemetry";
import postgres from "postgres";

export const BENCH_DATABASE = "pulseboard_bench_ingest";

// ---------------------------------------------------------------------------------------------
// Database

export interface IngestDatabase extends BenchDatabase {
  /** `track_commit_timestamp` is on: commit times of rows can be read (external-broker latency). */
  commitTimestamps: boolean;
  /** Readings in the table before the benchmark writes any. */
  preloaded: number;
}

/** Rows this run wrote have a received_at from now on (the bench data's are older). */
const RUN_STARTED = new Date().toISOString();

/**
 * The database `pulseboard_bench_ingest`: a clone of the shared bench data's template
 * (@pulseboard/devstack/bench-data: ≥ 10M readings of 100 interleaved devices already in the
 * table, VACUUMed), on the bench server (durable settings: fsync, synchronous commit and full-page
 * writes on; `track_commit_timestamp` on), with today's partitions and the next day's. Nothing is
 * emptied: every measurement writes into the full table, and rows written by this run are
 * deleted between measurements (resetReadings).
 */
export async function startDatabase(): Promise<IngestDatabase> {
  const server = await startBenchServer({ track_commit_timestamp: "on" });
  onCleanup("bench server", () => server.stop());
  const { name: template, info } = await benchTemplate(server, benchDataParams());
  const url = await cloneBenchDatabase(server, template, BENCH_DATABASE);
  onCleanup("bench database", () => dropBenchDatabase(server, BENCH_DATABASE));
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const result: IngestDatabase = {
    url,
    directUrl: url,
    adminUrl: server.adminUrl,
    mode: server.mode,
    description: `${server.description}; a clone of the bench data: ${describeBenchData(info)}`,
    close: () => server.stop(),
    commitTimestamps: false,
    preloaded: info.rawReadings,
  };
  try {
    const db = createDb(sql);
    await ensurePartitions(
      db,
      "sensor_readings",
      new Date(Date.now() - 86_400_000),
      new Date(Date.now() + 86_400_000),
    );
    // BENCH_AUTOVACUUM=off: a diagnostic knob, to see what autovacuum during a run costs.
    // A partitioned table takes no storage parameters: each partition gets it.
    if (process.env.BENCH_AUTOVACUUM === "off") {
      for (const p of await listPartitions(sql, "sensor_readings")) {
        await sql.unsafe(`alter table "${p.name}" set (autovacuum_enabled = false)`);
      }
      result.description += ", autovacuum off for sensor_readings' partitions (BENCH_AUTOVACUUM=off)";
    }
    const [setting] = await sql<
      { on: boolean }[]
    >`select current_setting('track_commit_timestamp') = 'on' as on`;
    result.commitTimestamps = setting?.on ?? false;
  } finally {
    await sql.end({ timeout: 5 });
  }
  return result;
}

/** Checkpoints the server has made so far (timed and requested): PostgreSQL 17's view, or 15's. */
export async function checkpointCount(sql: postgres.Sql): Promise<number> {
  const [row] = await sql<{ n: number }[]>`
    select (num_timed + num_requested)::int as n from pg_stat_checkpointer`.catch(
    () => sql<{ n: number }[]>`select (checkpoints_timed + checkpoints_req)::int as n from pg_stat_bgwriter`,
  );
  return row?.n ?? 0;
}

export interface DeviceSet {
  ids: string[];
  keys: string[];
}

/** `count` devices of one owner (created once per database), keys returned as provisioning shows them. */
export async function provisionDevices(sql: postgres.Sql, count: number, label: string): Promise<DeviceSet> {
  const ownerId = "bench-owner";
  await sql`
    insert into "user" (id, name, email) values (${ownerId}, 'bench', 'bench@pulseboard.invalid')
    on conflict (id) do nothing`;
  const ids = Array.from({ length: count }, () => randomUUID());
  const keys = Array.from({ length: count }, () => generateDeviceKey());
  const names = ids.map((_, i) => `${label}-${i}`);
  await sql`
    insert into devices (id, owner_id, name, device_key)
    select id, ${ownerId}, name, digest
    from unnest(${ids}::uuid[], ${names}::text[], ${keys.map(deviceKeyDigest)}::text[]) as d(id, name, digest)`;
  return { ids, keys };
}

export async function countRows(sql: postgres.Sql, deviceIds?: string[]): Promise<number> {
  const [row] = deviceIds
    ? await sql<{ n: number }[]>`
        select count(*)::int as n from sensor_readings where device_id = any(${deviceIds}::uuid[])`
    : await sql<
        { n: number }[]
      >`select count(*)::int as n from sensor_readings where received_at >= ${RUN_STARTED}::timestamptz`;
  return row?.n ?? 0;
}

/**
 * Deletes the readings this run wrote (the bench data's stay) and vacuums, so every measurement
 * writes into the same full table. No checkpoint is forced: checkpoints happen in the windows as
 * they would in a deployment (counted by checkpointCount).
 */
export async function resetReadings(sql: postgres.Sql): Promise<void> {
  await sql`delete from sensor_readings where received_at >= ${RUN_STARTED}::timestamptz`;
  await sql`vacuum sensor_readings`;
}

// ---------------------------------------------------------------------------------------------
// A stand-in alerter (evaluation messages only go out for devices with rules; there are none)

export async function startAlerterStub(): Promise<string> {
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => res.writeHead(200, { "content-type": "application/json" }).end("{}"));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  onCleanup("alerter stub", () => new Promise<void>((r) => server.close(() => r())));
  const address = server.address();
  return `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
}

// ---------------------------------------------------------------------------------------------
// The ingest as its own process

/** Ingest variables passed through from the benchmark's environment when set (for tuning runs). */
export const TUNABLES = [
  "FLUSH_MAX_ROWS",
  "FLUSH_INTERVAL_MS",
  "FLUSH_MAX_IN_FLIGHT",
  "BUFFER_MAX_ROWS",
  "MQTT_SUBSCRIBERS",
  "DB_POOL_MAX",
  "DEVICE_KEY_CACHE_MS",
  "LAST_SEEN_INTERVAL_MS",
  "EVALUATION_INTERVAL_MS",
  "RULES_CACHE_MS",
] as const;

export function tunedSettings(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of TUNABLES) {
    const value = process.env[name];
    if (value) out[name] = value;
  }
  return out;
}

export interface RunningIngest {
  proc: SpawnedProcess;
  pid: number;
  httpUrl: string;
  mqttUrl: string;
  /** SIGTERM (graceful: flush, acknowledge), then waits for the exit. */
  stop(): Promise<void>;
}

export async function startIngest(options: {
  databaseUrl: string;
  alerterUrl: string;
  mqttUrl?: string;
  clientId?: string;
}): Promise<RunningIngest> {
  const [httpPort, mqttPort, wsPort] = [await findFreePort(), await findFreePort(), await findFreePort()];
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    NODE_ENV: "production",
    LOG_LEVEL: "warn",
    HOST: "127.0.0.1",
    INGEST_PORT: String(httpPort),
    MQTT_PORT: String(mqttPort),
    MQTT_WS_PORT: String(wsPort),
    DATABASE_URL: options.databaseUrl,
    QSTASH_CURRENT_SIGNING_KEY: "bench-current-signing-key-0123456789",
    QSTASH_NEXT_SIGNING_KEY: "bench-next-signing-key-0123456789",
    ALERTER_URL: options.alerterUrl,
    DEVICE_RATE_PER_SECOND: "100000",
    DEVICE_RATE_BURST: "1000000",
    // Every simulated device connects from this machine.
    MQTT_MAX_CONNECTIONS_PER_ADDRESS: "1000000",
    ...tunedSettings(),
    // GC pauses of the ingest, one line each in its output (see gcPauses).
    // BENCH_INGEST_CPU_PROFILE=<folder>: a CPU profile of each ingest process (./cpu-profile.mjs).
    // BENCH_INGEST_NODE_OPTIONS: other node options for diagnosis (Node refuses --cpu-prof there).
    NODE_OPTIONS: [
      // As `pnpm start` and docker-compose start it (node-flags.ts).
      ...INGEST_NODE_FLAGS,
      `--import=${new URL("./gc-probe.mjs", import.meta.url).href}`,
      process.env.BENCH_INGEST_CPU_PROFILE
        ? `--import=${new URL("./cpu-profile.mjs", import.meta.url).href}`
        : "",
      process.env.BENCH_INGEST_NODE_OPTIONS,
    ]
      .filter(Boolean)
      .join(" "),
    BENCH_INGEST_CPU_PROFILE: process.env.BENCH_INGEST_CPU_PROFILE,
    ...(options.mqttUrl ? { MQTT_URL: options.mqttUrl } : {}),
    ...(options.clientId ? { MQTT_CLIENT_ID: options.clientId } : {}),
  };
  const proc = spawnTs("apps/ingest", "src/server.ts", env);
  const unregister = onCleanup("ingest process", async () => {
    await proc.stop(5000);
  });
  const httpUrl = `http://127.0.0.1:${httpPort}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (proc.child.exitCode !== null || proc.child.signalCode !== null) {
      unregister();
      throw new Error(`the ingest exited during startup:\n${proc.output()}`);
    }
    const ready = await fetch(`${httpUrl}/readyz`, { signal: AbortSignal.timeout(1000) }).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) {
      await proc.stop(2000);
      unregister();
      throw new Error(`the ingest was not ready within 30s:\n${proc.output()}`);
    }
    await sleep(100);
  }
  return {
    proc,
    pid: proc.child.pid ?? 0,
    httpUrl,
    mqttUrl: `mqtt://127.0.0.1:${mqttPort}`,
    async stop() {
      const { code, signal } = await proc.stop(20_000);
      unregister();
      if (code !== 0) progress(`  (the ingest exited with ${code ?? signal}; its output:\n${proc.output()})`);
    },
  };
}

/** Samples a process's resident memory every 200 ms; `stop()` returns the peak in MB. */
export function sampleRss(pid: number): { stop(): number } {
  let peakKb = 0;
  const read = () => {
    try {
      const status = readFileSync(`/proc/${pid}/status`, "utf8");
      const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      if (kb > peakKb) peakKb = kb;
    } catch {
      // the process is gone
    }
  };
  read();
  const timer = setInterval(read, 200);
  return {
    stop() {
      read();
      clearInterval(timer);
      return peakKb / 1024;
    },
  };
}

/** The process's own high-water mark of resident memory (VmHWM), in MB. */
export function highWaterMb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

// ---------------------------------------------------------------------------------------------
// External broker

export interface ExternalBroker {
  url: string;
  description: string;
  /** The private Mosquitto's pid (for the CPU split); undefined for MQTT_BENCH_BROKER_URL. */
  pid?: number;
  /** Ends the persistent sessions of these client ids, so the broker keeps nothing queued for them. */
  forgetSessions(clientIds: string[]): Promise<void>;
  stop(): Promise<void>;
}

/** MQTT_BENCH_BROKER_URL when set, else a private Mosquitto on a free port; undefined when neither. */
export async function startExternalBroker(): Promise<ExternalBroker | undefined> {
  const given = process.env.MQTT_BENCH_BROKER_URL;
  if (!given && !MOSQUITTO_BINARY) return undefined;
  if (given) await waitForBroker(given);
  // Configured as the shipped docker/mosquitto/mosquitto.conf queues: what is measured is what
  // a deployment of it gets (MQTT_BENCH_BROKER_URL measures any other broker, e.g. a default one).
  const broker = given ? undefined : await startPrivateMosquitto(shippedMosquittoSettings());
  if (broker) onCleanup("mosquitto", () => broker.stop());
  const brokerUrl = given ?? broker?.url ?? "";
  const description = given
    ? `MQTT_BENCH_BROKER_URL (its own configuration)`
    : `${broker?.description ?? ""}, the queue settings of docker/mosquitto/mosquitto.conf`;
  const pid = broker?.pid;
  return {
    url: brokerUrl,
    description,
    ...(pid !== undefined ? { pid } : {}),
    forgetSessions: (clientIds) => forgetMqttSessions(brokerUrl, clientIds),
    stop: async () => {
      await broker?.stop();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Client ids

/** A random suffix for client ids, so runs against a shared broker never collide. */
export const runId = randomUUID().slice(0, 8);

// ---------------------------------------------------------------------------------------------
// CPU split: who used the 2 cores during a window (processes by pid; the rest of the machine,
// PostgreSQL above all, as the machine's busy time minus theirs), from @pulseboard/devstack/bench-cpu.

export type CpuSnapshot = CpuSample;

/** Ticks so far of the machine and of each named process (the benchmark itself is `self`). */
export function cpuSnapshot(pids: Record<string, number | undefined>): CpuSnapshot {
  const targets: Record<string, CpuTarget> = { self: { pid: process.pid, tree: false } };
  for (const [name, pid] of Object.entries(pids)) if (pid) targets[name] = { pid, tree: false };
  return cpuSample(targets);
}

/** Cores used between two snapshots: per process, and `rest` = machine busy minus those. */
export function cpuSplit(a: CpuSnapshot, b: CpuSnapshot): Record<string, number> {
  const { other, ...cores } = cpuCores(a, b);
  return { ...cores, rest: other ?? Number.NaN };
}

// ---------------------------------------------------------------------------------------------
// The ingest's own view: its Prometheus metrics

export interface FlushStats {
  flushes: number;
  meanRows: number;
  meanMs: number;
  /** The histogram bucket (upper bound, ms) holding the 99th percentile flush. */
  p99BucketMs: number;
}

/** Flush count, mean rows and duration from the ingest's /metrics (since the process started). */
export async function flushStats(httpUrl: string): Promise<FlushStats | undefined> {
  try {
    const text = await (await fetch(`${httpUrl}/metrics`, { signal: AbortSignal.timeout(2000) })).text();
    const value = (name: string) =>
      Number(new RegExp(`^${name} ([0-9.e+-]+)$`, "m").exec(text)?.[1] ?? Number.NaN);
    const flushes = value("ingest_flush_duration_seconds_count");
    const buckets = [...text.matchAll(/^ingest_flush_duration_seconds_bucket\{le="([^"]+)"\} (\d+)$/gm)].map(
      (m) => ({ le: Number(m[1]), n: Number(m[2]) }),
    );
    const p99 = buckets.find((b) => b.n >= 0.99 * flushes)?.le ?? Number.NaN;
    return {
      flushes,
      meanRows: value("ingest_flush_rows_sum") / flushes,
      meanMs: (value("ingest_flush_duration_seconds_sum") / flushes) * 1000,
      p99BucketMs: p99 * 1000,
    };
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL's background work that can stall inserts: autovacuum/autoanalyze of the readings
// table and checkpoints (counts are cumulative; compare two snapshots)

export interface PgActivity {
  autovacuum: number;
  autoanalyze: number;
  checkpoints: number;
}

export async function pgActivity(sql: postgres.Sql): Promise<PgActivity> {
  const [t] = await sql<{ v: number; a: number }[]>`
    select coalesce(sum(autovacuum_count), 0)::int as v, coalesce(sum(autoanalyze_count), 0)::int as a
    from pg_stat_user_tables where relname = 'sensor_readings'`;
  let checkpoints = Number.NaN;
  try {
    const [c] = await sql<{ n: number }[]>`
      select (num_timed + num_requested)::int as n from pg_stat_checkpointer`;
    checkpoints = c?.n ?? Number.NaN;
  } catch {
    try {
      const [c] = await sql<{ n: number }[]>`
        select (checkpoints_timed + checkpoints_req)::int as n from pg_stat_bgwriter`;
      checkpoints = c?.n ?? Number.NaN;
    } catch {
      // not visible to this role
    }
  }
  return { autovacuum: t?.v ?? 0, autoanalyze: t?.a ?? 0, checkpoints };
}

export function pgActivityDelta(a: PgActivity, b: PgActivity): PgActivity {
  return {
    autovacuum: b.autovacuum - a.autovacuum,
    autoanalyze: b.autoanalyze - a.autoanalyze,
    checkpoints: b.checkpoints - a.checkpoints,
  };
}

// ---------------------------------------------------------------------------------------------
// Pauses: the ingest's garbage collections (from --trace-gc) and this process's event loop

export interface Pauses {
  count: number;
  totalMs: number;
  maxMs: number;
  /** Pauses of 50 ms or more. */
  over50ms: number;
}

/** GC pauses in the ingest's output (`bench-gc-pause <ms>` lines from gc-probe.mjs). */
export function gcPauses(output: string): Pauses {
  const pauses = [...output.matchAll(/^bench-gc-pause ([\d.]+)$/gm)].map((m) => Number(m[1]));
  return {
    count: pauses.length,
    totalMs: pauses.reduce((a, b) => a + b, 0),
    maxMs: pauses.length > 0 ? Math.max(...pauses) : 0,
    over50ms: pauses.filter((p) => p >= 50).length,
  };
}

/** This process's event-loop delay (the simulator's own stalls inflate the latencies it measures). */
export function watchEventLoop(): { stop(): { p99Ms: number; maxMs: number } } {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  return {
    stop() {
      h.disable();
      return { p99Ms: h.percentile(99) / 1e6, maxMs: h.max / 1e6 };
    },
  };
}

/** Polls the ingest's buffer depth (ingest_buffer_rows) every 500 ms; `stop()` returns the maximum seen. */
export function watchBuffer(httpUrl: string): { stop(): Promise<number> } {
  let max = 0;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      try {
        const text = await (await fetch(`${httpUrl}/metrics`, { signal: AbortSignal.timeout(2000) })).text();
        const rows = Number(/^ingest_buffer_rows ([0-9.e+]+)$/m.exec(text)?.[1] ?? 0);
        if (rows > max) max = rows;
      } catch {
        // busy or gone: try again
      }
      await sleep(500);
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      return max;
    },
  };
}
