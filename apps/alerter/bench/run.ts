// `pnpm bench` (alerter): what a deployment sees, with 10,000 rules over 1,000 devices on a
// durable PostgreSQL (fsync, synchronous commit, full-page writes on) holding ~10 million readings
// written in time order across the devices, as the ingest writes them:
// (1) the first sweep over the fleet and the steady sweeps after it (median of 3);
// (2) an event-driven run under continuous load: the ingest and the alerter as their own processes
//     with the local queue and their default settings, the project's simulator sending every
//     device's 4 metrics every second over HTTP, and from another client one breaching reading a
//     second to a different device; commit-to-firing = from that request's 202 (sent after commit)
//     to the transition's NOTIFY, p50/p99 after a warm-up; CPU of each process during it.
// Goals (printed as met/MISSED): steady sweep < 2 s, first sweep < 5 s, commit-to-firing p99
// < 300 ms. Conditions are printed beside the figures.
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import {
  benchDatabase,
  fmt1,
  fmt2,
  fmtInt,
  onCleanup,
  percentile,
  progress,
  reportResults,
  runBench,
  sleep,
} from "@pulseboard/devstack/bench";
import { cpuCores, cpuSample, loadAverage, postgresServerPid } from "@pulseboard/devstack/bench-cpu";
import { REPO_ROOT } from "@pulseboard/devstack/paths";
import { type SpawnedProcess, spawnTs } from "@pulseboard/devstack/test/process";
import { createQueue } from "@pulseboard/queue";
import { createLogger } from "@pulseboard/runtime/logger";
import { findFreePort } from "@pulseboard/runtime/ports";
import { createDb, createDirectClient, createPooledClient } from "@pulseboard/schema/client";
import { ALERTS_CHANNEL } from "@pulseboard/schema/live";
import { ensurePartitions } from "@pulseboard/schema/queries/partitions";
import { rollUpClosedMinutes } from "@pulseboard/schema/queries/rollups";
import { deviceKeyDigest, generateDeviceKey } from "@pulseboard/schema/telemetry";
import { createProfile, deviceSeed, runSimulation } from "@pulseboard/simulator";
import { buildApp } from "../src/app";

const numberFromEnv = (name: string, fallback: number) => {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
};

const DEVICES = numberFromEnv("BENCH_DEVICES", 1000);
/** The simulator's `environment` profile: every device reports these 4 metrics. */
const METRICS = ["temperature", "humidity", "pressure", "co2"] as const;
/** Seconds of history loaded: readings = DEVICES × 4 × (SECONDS + the load's own duration). */
const SECONDS = numberFromEnv("BENCH_SECONDS", 2500);
/** Seconds of history per insert statement (× every device × 4 metrics). */
const SLICE_SECONDS = 5;
const EVENT_SECONDS = numberFromEnv("BENCH_EVENT_SECONDS", 180);
/** Probes of the event-driven run's first seconds are not counted (processes and pools warming). */
const WARMUP_SECONDS = Math.min(numberFromEnv("BENCH_WARMUP_SECONDS", 30), EVENT_SECONDS / 2);
const SIM_SEED = 1;
/** The probe rule's threshold: far above any temperature the simulator reports (≤ ~30 °C). */
const PROBE_THRESHOLD = 60;
const KEYS = { current: "sig_bench_current_0123456789", next: "sig_bench_next_0123456789" };

/**
 * Every device's 10 rules: every aggregate, windows of 1 to 10 minutes, on its 4 metrics.
 * Rule 0 is the probe rule (one breaching reading fires it); most others hold on the simulator's
 * values, and the pressure and humidity thresholds sit inside their per-device spread, so some
 * devices' rules fire (and a few near the line flap, as real ones do).
 */
const RULES: { metric: string; aggregate: string; comparator: string; threshold: number; window: number }[] =
  [
    { metric: "temperature", aggregate: "max", comparator: "gt", threshold: PROBE_THRESHOLD, window: 60 },
    { metric: "temperature", aggregate: "avg", comparator: "gt", threshold: 35, window: 120 },
    { metric: "temperature", aggregate: "min", comparator: "lt", threshold: 5, window: 180 },
    { metric: "humidity", aggregate: "avg", comparator: "gt", threshold: 50, window: 240 },
    { metric: "humidity", aggregate: "last", comparator: "lt", threshold: 10, window: 300 },
    { metric: "pressure", aggregate: "min", comparator: "lt", threshold: 960, window: 360 },
    { metric: "pressure", aggregate: "avg", comparator: "gt", threshold: 1015, window: 420 },
    { metric: "co2", aggregate: "max", comparator: "gt", threshold: 3000, window: 480 },
    { metric: "co2", aggregate: "count", comparator: "lt", threshold: 5, window: 540 },
    { metric: "humidity", aggregate: "min", comparator: "lte", threshold: 0, window: 600 },
  ];

/** The default the ingest takes for `name` with `env`: its own env module, loaded in a child. */
function ingestDefault(name: string, env: NodeJS.ProcessEnv): string {
  const script = `const { env } = await import("./src/env.ts"); console.log(String(env[${JSON.stringify(name)}]));`;
  return execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    cwd: `${REPO_ROOT}apps/ingest`,
    env,
    encoding: "utf8",
  }).trim();
}

/** The alerter's own account of its work since it started, from its /metrics. */
async function alerterMetrics(baseUrl: string) {
  const text = await fetch(`${baseUrl}/metrics`).then(
    (r) => r.text(),
    () => "",
  );
  const value = (line: string) =>
    Number(new RegExp(`^${line.replace(/[{}"]/g, "\\$&")} ([0-9.e+-]+)$`, "m").exec(text)?.[1] ?? Number.NaN);
  const meanMs = (trigger: string) =>
    (value(`alerter_evaluation_duration_seconds_sum{trigger="${trigger}"}`) /
      value(`alerter_evaluation_duration_seconds_count{trigger="${trigger}"}`)) *
    1000;
  return {
    evaluateRequests: value('alerter_evaluations_total{trigger="evaluate"}'),
    evaluateMeanMs: meanMs("evaluate"),
    sweeps: value('alerter_evaluations_total{trigger="sweep"}'),
    sweepMeanMs: meanMs("sweep"),
    sweepsSkipped: value("alerter_sweeps_skipped_total"),
  };
}

async function main() {
  const loadAtStart = loadAverage();
  progress(`load average at start: ${loadAtStart} (2 cores shared with other work)`);
  const database = await benchDatabase({ name: "pulseboard_bench_alerter", fresh: true, durable: true });
  onCleanup("database", () => database.close());
  // The direct endpoint, for this client and the processes below (the same server as the pooled
  // one unless DATABASE_URL is a PgBouncer).
  const url = database.directUrl;
  const sql = createPooledClient(url, { max: 4 });
  const db = createDb(sql);
  onCleanup("benchmark client", () => sql.end({ timeout: 5 }));
  const settings = await sql<{ name: string; setting: string }[]>`
    select name, setting from pg_settings
    where name in ('fsync', 'synchronous_commit', 'full_page_writes', 'shared_buffers', 'server_version')
    order by name`;
  const pgSettings = settings.map((s) => `${s.name}=${s.setting}`).join(", ");
  progress(`PostgreSQL: ${database.description}; ${pgSettings}`);

  // --- data: 1,000 devices with real keys, 10 rules each, readings in time order ---------------
  const ownerId = crypto.randomUUID();
  await sql`insert into "user" (id, name, email, updated_at) values (${ownerId}, 'bench', ${`${ownerId}@bench.local`}, now())`;
  const keys = Array.from({ length: DEVICES }, () => generateDeviceKey());
  const names = keys.map((_, i) => `bench ${i}`);
  const deviceIds = (
    await sql<{ id: string }[]>`
      insert into devices (owner_id, name, device_key, status, last_seen_at)
      select ${ownerId}, name, digest, 'online', now()
      from unnest(${names}::text[], ${keys.map(deviceKeyDigest)}::text[]) with ordinality d(name, digest, n)
      order by n
      returning id`
  ).map((r) => r.id);
  const { count: rules } = await sql`
    insert into alert_rules (device_id, metric, comparator, threshold, window_seconds, aggregate, recovery_threshold, no_data)
    select d, r.metric, r.comparator, r.threshold::numeric, r.window, r.aggregate, null, 'keep'
    from unnest(${deviceIds}::uuid[]) d,
         unnest(${RULES.map((r) => r.metric)}::text[], ${RULES.map((r) => r.comparator)}::text[],
                ${RULES.map((r) => r.threshold)}::float8[], ${RULES.map((r) => r.window)}::int[],
                ${RULES.map((r) => r.aggregate)}::text[]) as r(metric, comparator, threshold, "window", aggregate)`;
  const probeRuleOf = new Map<string, string>();
  {
    const probes = await sql<{ id: string; device_id: string }[]>`
      select id, device_id from alert_rules
      where device_id = any(${deviceIds}::uuid[]) and metric = 'temperature' and threshold = ${PROBE_THRESHOLD}`;
    for (const p of probes) probeRuleOf.set(p.device_id, p.id);
  }

  // Each device's values continue the simulator's (same seed and device order): its sample at the
  // data's end, plus a slow wobble, so the event-driven run picks up where the history left off.
  const began = Date.now();
  const from = Math.floor((began - SECONDS * 1000) / 1000) * 1000;
  const base = METRICS.map((m) =>
    keys.map(
      (_, i) => createProfile("environment", { seed: deviceSeed(SIM_SEED, i) }).sample(began).values[m] ?? 0,
    ),
  );
  await ensurePartitions(db, "sensor_readings", new Date(from - 86_400_000), new Date(began + 86_400_000));
  await ensurePartitions(db, "reading_rollups_1m", new Date(from), new Date(began + 86_400_000));
  progress(
    `${fmtInt(DEVICES)} devices, ${fmtInt(rules)} rules; inserting ${SECONDS} s × ${DEVICES} devices × ${METRICS.length} metrics in time order (${SLICE_SECONDS} s of all devices per statement)…`,
  );
  // In time order across devices, slice after slice, until the history reaches now (the load
  // takes minutes: the slices of that time are written too, so the rules' windows are full).
  const loadStart = performance.now();
  let cursor = from;
  let inserted = 0;
  let lastPrint = performance.now();
  for (;;) {
    const end = Math.min(cursor + SLICE_SECONDS * 1000, Math.floor(Date.now() / 1000) * 1000);
    if (end <= cursor) break;
    const result = await sql`
      insert into sensor_readings (device_id, metric, value, recorded_at, received_at)
      select d.id, m.name,
             round((b.v[m.k] * (1 + 0.002 * sin(extract(epoch from r.at) / 97 + d.n)))::numeric,
                   (array[2, 1, 1, 0])[m.k]),
             r.at, r.at + interval '40 milliseconds' + (d.n % 20) * interval '1 millisecond'
      from generate_series(${new Date(cursor).toISOString()}::timestamptz,
                           ${new Date(end - 1000).toISOString()}::timestamptz, interval '1 second') s(step)
      cross join unnest(${deviceIds}::uuid[], ${base[0] ?? []}::float8[], ${base[1] ?? []}::float8[],
                        ${base[2] ?? []}::float8[], ${base[3] ?? []}::float8[])
                 with ordinality d(id, t, h, p, c, n)
      cross join lateral (select array[d.t, d.h, d.p, d.c] as v) b
      cross join unnest(${[...METRICS]}::text[]) with ordinality m(name, k)
      cross join lateral (select s.step + ((d.n - 1) * 1000 / ${DEVICES}) * interval '1 millisecond' as at) r
      order by r.at, m.k`;
    inserted += result.count;
    cursor = end;
    if (performance.now() - lastPrint > 20_000) {
      lastPrint = performance.now();
      progress(`  ${fmtInt(inserted)} readings (up to ${new Date(cursor).toISOString()})`);
    }
  }
  const loadSeconds = (performance.now() - loadStart) / 1000;
  progress(`${fmtInt(inserted)} readings in ${fmt1(loadSeconds)} s`);
  // Statistics first, as autovacuum gives a table that filled up over time: the roll-up's plan
  // over a never-analysed table is not one a deployment runs.
  await sql`analyze sensor_readings`;
  // A deployed alerter has rolled up closed minutes every sweep all along: take the load's
  // backlog now, so the timed sweeps see a steady state.
  const backlog = performance.now();
  const rolled = await rollUpClosedMinutes(db);
  const rollupSeconds = (performance.now() - backlog) / 1000;
  progress(`rolled up the loaded readings: ${fmtInt(rolled.readings)} in ${fmt1(rollupSeconds)} s`);
  const vacuumAt = performance.now();
  await sql.unsafe("vacuum (analyze)");
  progress(`VACUUM (ANALYZE) in ${fmt1((performance.now() - vacuumAt) / 1000)} s`);
  const [{ n: readings } = { n: 0 }] = await sql<
    { n: number }[]
  >`select count(*)::int as n from sensor_readings`;
  const [{ size } = { size: "" }] = await sql<
    { size: string }[]
  >`select pg_size_pretty(pg_database_size(current_database())) as size`;
  const dataConditions = `${fmtInt(readings)} readings of ${fmtInt(DEVICES)} devices × ${METRICS.length} metrics, one a second per series over ${fmtInt(SECONDS)} s up to the sweeps, written in time order across devices (${SLICE_SECONDS} s × every series per statement, received 40–60 ms after recorded), rolled up, VACUUM (ANALYZE); database ${size}`;
  progress(dataConditions);

  // --- (1) first and steady sweeps ---------------------------------------------------------------
  // Deliveries still queued when the in-process app closes fail by design: keep them quiet.
  const log = createLogger({ name: "alerter-bench", level: "fatal" });
  const queue = createQueue({ currentSigningKey: KEYS.current, nextSigningKey: KEYS.next }, log);
  const port = await findFreePort();
  const app = buildApp({
    db,
    log,
    queue,
    config: {
      ALERTER_PUBLIC_URL: `http://127.0.0.1:${port}`,
      QSTASH_TOKEN: undefined,
      QSTASH_CURRENT_SIGNING_KEY: KEYS.current,
      QSTASH_NEXT_SIGNING_KEY: KEYS.next,
      SIGNATURE_CLOCK_TOLERANCE_S: 5,
      SWEEP_INTERVAL_MS: 3_600_000,
      WEBHOOK_MAX_ATTEMPTS: 3,
      WEBHOOK_TIMEOUT_MS: 2000,
      // The queue's default backoff unit.
      QUEUE_RETRY_BASE_MS: 1000,
      WEBHOOK_ALLOW_PRIVATE: true,
      RAW_RETENTION_DAYS: 30,
      MINUTE_RETENTION_DAYS: 400,
      // No mail server: the owners' account e-mail deliveries are recorded as skipped.
      APP_URL: "http://localhost:3000",
      SMTP_URL: undefined,
      MAIL_FROM: "Pulseboard <alerts@pulseboard.localhost>",
    },
  });
  await new Promise<void>((r) => app.server.listen(port, "127.0.0.1", r));
  const sweeps: { ms: number; transitions: number }[] = [];
  for (let i = 0; i < 4; i++) {
    const t0 = performance.now();
    const result = await app.sweep();
    sweeps.push({ ms: performance.now() - t0, transitions: result.transitions });
    progress(`sweep ${i + 1}: ${sweeps.at(-1)?.ms.toFixed(0)} ms, ${result.transitions} transitions`);
    if (i === 0) {
      // The first sweep's transitions queue thousands of webhook deliveries back to this app;
      // steady state is measured once they are done, not while they compete for the database.
      const deadline = Date.now() + 120_000;
      for (;;) {
        const [row] = await sql<{ n: number }[]>`
          select count(*)::int as n from alert_deliveries where status in ('pending', 'in_flight')`;
        if (!row?.n || Date.now() > deadline) break;
        await sleep(250);
      }
      progress("first sweep's deliveries done");
    }
  }
  await app.close();
  await queue.close();
  const firstSweepMs = sweeps[0]?.ms ?? Number.NaN;
  const sweepMs = percentile(
    sweeps.slice(1).map((s) => s.ms),
    50,
  );

  // --- (2) event-driven run under continuous load --------------------------------------------------
  const alerterPort = await findFreePort();
  const ingestPort = await findFreePort();
  const common = {
    PATH: process.env.PATH,
    NODE_ENV: "production",
    HOST: "127.0.0.1",
    DATABASE_URL: url,
    QSTASH_CURRENT_SIGNING_KEY: KEYS.current,
    QSTASH_NEXT_SIGNING_KEY: KEYS.next,
  };
  const alerterEnv = {
    ...common,
    ALERTER_PORT: String(alerterPort),
    ALERTER_PUBLIC_URL: `http://127.0.0.1:${alerterPort}`,
  };
  const ingestEnv = {
    ...common,
    INGEST_PORT: String(ingestPort),
    MQTT_PORT: String(await findFreePort()),
    MQTT_WS_PORT: String(await findFreePort()),
    ALERTER_URL: `http://127.0.0.1:${alerterPort}`,
  };
  const evaluationIntervalMs = ingestDefault("EVALUATION_INTERVAL_MS", ingestEnv);
  const flushIntervalMs = ingestDefault("FLUSH_INTERVAL_MS", ingestEnv);
  const processes: SpawnedProcess[] = [
    spawnTs("apps/alerter", "src/server.ts", alerterEnv),
    spawnTs("apps/ingest", "src/server.ts", ingestEnv),
  ];
  const [alerterProc, ingestProc] = processes;
  const stopProcesses = onCleanup("ingest and alerter", () => Promise.all(processes.map((p) => p.stop())));
  const listener = createDirectClient(url);
  onCleanup("listener", () => listener.end({ timeout: 5 }));
  const ingestUrl = `http://127.0.0.1:${ingestPort}`;
  for (const [name, target] of [
    ["alerter", `http://127.0.0.1:${alerterPort}`],
    ["ingest", ingestUrl],
  ] as const) {
    const deadline = Date.now() + 60_000;
    while (
      !(await fetch(`${target}/readyz`).then(
        (r) => r.ok,
        () => false,
      ))
    ) {
      if (Date.now() > deadline) throw new Error(`${name} not ready within 60 s`);
      await sleep(200);
    }
  }
  const firedAt = new Map<string, number>();
  let transitions = 0;
  await listener.listen(ALERTS_CHANNEL, (payload) => {
    const event = JSON.parse(payload) as { kind: string; ruleId: string };
    transitions++;
    if (event.kind === "fired" && !firedAt.has(event.ruleId)) firedAt.set(event.ruleId, performance.now());
  });
  const pgPid = await postgresServerPid(sql);
  const targets = {
    ingest: { pid: ingestProc?.child.pid, tree: true },
    alerter: { pid: alerterProc?.child.pid, tree: true },
    postgres: { pid: pgPid, tree: true },
    bench: { pid: process.pid, tree: false },
  };

  const sim = await runSimulation({
    devices: keys.map((key) => ({ key, profile: "environment" as const })),
    transport: { kind: "http", url: ingestUrl },
    intervalMs: 1000,
    seed: SIM_SEED,
  });
  onCleanup("simulator", () => sim.stop());
  progress(
    `event-driven run: ${DEVICES} simulated devices × ${METRICS.length} metrics every second over HTTP ({ts, values}), ${EVENT_SECONDS} s; one breaching reading a second to a different device (warm-up ${WARMUP_SECONDS} s not counted); EVALUATION_INTERVAL_MS=${evaluationIntervalMs} (the ingest's default)`,
  );
  // Probes: second s goes to device (s × a prime) mod DEVICES, all distinct for s < DEVICES.
  const probes: {
    second: number;
    ruleId: string;
    deviceId: string;
    ts: number;
    ackedAt?: number;
    status?: number;
  }[] = [];
  // Statements that run long during the run, sampled every second: what they waited on (a lock,
  // I/O, or nothing: CPU) tells a slow plan from a blocked one.
  const longStatements = new Map<string, { seconds: number; waits: Set<string>; query: string }>();
  const sampler = setInterval(() => {
    sql<{ key: string; seconds: number; wait: string | null; query: string }[]>`
      select pid || '@' || query_start as key, extract(epoch from now() - query_start)::float8 as seconds,
             wait_event_type || ':' || wait_event as wait, left(regexp_replace(query, '\\s+', ' ', 'g'), 160) as query
      from pg_stat_activity
      where state = 'active' and pid <> pg_backend_pid() and now() - query_start > interval '1 second'
        and backend_type = 'client backend'`.then(
      (rows) => {
        for (const row of rows) {
          const seen = longStatements.get(row.key) ?? { seconds: 0, waits: new Set(), query: row.query };
          seen.seconds = Math.max(seen.seconds, row.seconds);
          seen.waits.add(row.wait ?? "CPU");
          longStatements.set(row.key, seen);
        }
      },
      () => {},
    );
  }, 1000);
  onCleanup("statement sampler", () => clearInterval(sampler));
  const runStart = performance.now();
  let cpuStart = cpuSample(targets);
  const sends: Promise<void>[] = [];
  for (let s = 0; s < EVENT_SECONDS; s++) {
    const due = runStart + s * 1000 + 500;
    await sleep(Math.max(0, due - performance.now()));
    if (s === WARMUP_SECONDS) cpuStart = cpuSample(targets);
    const device = (s * 7919) % DEVICES;
    const probe: (typeof probes)[number] = {
      second: s,
      ruleId: probeRuleOf.get(deviceIds[device] ?? "") ?? "",
      deviceId: deviceIds[device] ?? "",
      ts: Date.now(),
    };
    probes.push(probe);
    sends.push(
      fetch(`${ingestUrl}/v1/readings`, {
        method: "POST",
        headers: { authorization: `Bearer ${keys[device]}`, "content-type": "application/json" },
        body: JSON.stringify({ ts: probe.ts, values: { temperature: 99 } }),
      }).then(
        async (res) => {
          probe.ackedAt = performance.now();
          probe.status = res.status;
          await res.arrayBuffer();
        },
        () => {
          probe.status = 0;
        },
      ),
    );
    if (s % 30 === 29) {
      const fired = probes.filter((p) => firedAt.has(p.ruleId)).length;
      progress(
        `  ${s + 1} s: ${fired}/${probes.length} probes fired; simulator sent ${fmtInt(sim.counters.sent)}, acked ${fmtInt(sim.counters.acked)}, failed ${fmtInt(sim.counters.failed)}`,
      );
    }
  }
  await Promise.all(sends);
  const cpuEnd = cpuSample(targets);
  // The last probes' firings: at most 10 s more.
  const deadline = Date.now() + 10_000;
  while (probes.some((p) => !firedAt.has(p.ruleId)) && Date.now() < deadline) await sleep(50);
  const counters = await sim.stop();
  const alerterWork = await alerterMetrics(`http://127.0.0.1:${alerterPort}`);
  await listener.end({ timeout: 5 });
  stopProcesses();
  await Promise.all(processes.map((p) => p.stop()));

  const measured = probes.filter((p) => p.second >= WARMUP_SECONDS);
  const acked = measured.filter((p) => p.status === 202);
  const latencies = acked
    .map((p) => (firedAt.get(p.ruleId) ?? Number.NaN) - (p.ackedAt ?? Number.NaN))
    .filter((v) => Number.isFinite(v));
  // By 30 s of the run, whole: whether the latency holds or grows (a backlog) as the run goes on.
  const timeline: { fromSecond: number; fired: number; probes: number; p50Ms: number; maxMs: number }[] = [];
  for (let from = 0; from < EVENT_SECONDS; from += 30) {
    const block = probes.filter((p) => p.second >= from && p.second < from + 30);
    const ms = block
      .map((p) => (firedAt.get(p.ruleId) ?? Number.NaN) - (p.ackedAt ?? Number.NaN))
      .filter((v) => Number.isFinite(v));
    timeline.push({
      fromSecond: from,
      fired: ms.length,
      probes: block.length,
      p50Ms: Math.round(percentile(ms, 50)),
      maxMs: Math.round(ms.length ? Math.max(...ms) : Number.NaN),
    });
  }
  // What the alerter was doing in the background when the slowest probes waited: its roll-up and
  // VACUUM log lines carry their end (pino's time) and duration.
  const background = alerterProc ? backgroundWork(alerterProc.output()) : [];
  // Both processes' logs, for a closer look at what the run went through.
  mkdirSync(`${REPO_ROOT}bench-results`, { recursive: true });
  for (const [name, proc] of [
    ["alerter", alerterProc],
    ["ingest", ingestProc],
  ] as const)
    if (proc) writeFileSync(`${REPO_ROOT}bench-results/alerter-event-run.${name}.log`, proc.output());
  const overlapping = (p: (typeof probes)[number]) => {
    const from = performance.timeOrigin + (p.ackedAt ?? Number.NaN);
    const to = performance.timeOrigin + (firedAt.get(p.ruleId) ?? Number.NaN);
    return background.filter((w) => w.start < to && w.end > from);
  };
  const slowest = acked
    .filter((p) => firedAt.has(p.ruleId))
    .map((p) => ({ p, ms: (firedAt.get(p.ruleId) ?? 0) - (p.ackedAt ?? 0) }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, 5)
    .map(({ p, ms }) => ({
      second: p.second,
      ms: Math.round(ms),
      during: overlapping(p).map((w) => `${w.what} ${fmtInt(w.ms)} ms`),
    }));
  clearInterval(sampler);
  const longest = [...longStatements.values()].sort((a, b) => b.seconds - a.seconds).slice(0, 5);
  const cores = cpuCores(cpuStart, cpuEnd);
  const cpuSeconds = (cpuEnd.at - cpuStart.at) / 1000;
  const event = {
    seconds: EVENT_SECONDS,
    warmupSeconds: WARMUP_SECONDS,
    evaluationIntervalMs: Number(evaluationIntervalMs),
    flushIntervalMs: Number(flushIntervalMs),
    probes: measured.length,
    probesAcked: acked.length,
    fired: latencies.length,
    p50Ms: Math.round(percentile(latencies, 50)),
    p99Ms: Math.round(percentile(latencies, 99)),
    maxMs: Math.round(Math.max(...latencies)),
    transitionsNotified: transitions,
    simulator: counters,
    cpuCores: cores,
    cpuWindowSeconds: cpuSeconds,
    alerter: alerterWork,
    timeline,
    slowest,
    longStatements: longest.map((l) => ({ seconds: l.seconds, waits: [...l.waits], query: l.query })),
  };
  // A probe that never fired: was its reading stored? The simulator may have sent a reading of the
  // same device, metric and millisecond first, and a reading is stored once per that key.
  for (const p of measured.filter((m) => !firedAt.has(m.ruleId))) {
    const [row] = await sql<{ value: number | null }[]>`
      select max(value)::float8 as value from sensor_readings
      where device_id = ${p.deviceId} and metric = 'temperature'
        and recorded_at = ${new Date(p.ts).toISOString()}::timestamptz`;
    progress(
      `  probe of second ${p.second} never fired: HTTP ${p.status ?? "no answer"}; stored value at its timestamp ${row?.value ?? "none"}${row?.value !== null && row?.value !== 99 ? " (a simulator reading of the same millisecond was stored first)" : ""}`,
    );
  }
  progress(
    `event-driven run: ${event.fired}/${event.probes} probes fired after the warm-up (${event.probesAcked} acknowledged); p50 ${event.p50Ms} ms, p99 ${event.p99Ms} ms, max ${event.maxMs} ms; ${fmtInt(transitions)} transitions notified in all`,
  );
  progress(
    `  simulator: sent ${fmtInt(counters.sent)}, acked ${fmtInt(counters.acked)}, failed ${fmtInt(counters.failed)}, skipped ${fmtInt(counters.skipped)}${Object.keys(counters.errors).length ? `, errors ${JSON.stringify(counters.errors)}` : ""}`,
  );
  progress(
    `  by 30 s (warm-up included): ${timeline.map((t) => `${t.fromSecond}–${t.fromSecond + 30} s p50 ${fmtInt(t.p50Ms)} / max ${fmtInt(t.maxMs)} ms (${t.fired}/${t.probes})`).join("; ")}`,
  );
  progress(
    `  alerter over the whole run (its /metrics): ${fmtInt(alerterWork.evaluateRequests)} evaluate requests, mean ${fmtInt(alerterWork.evaluateMeanMs)} ms each; ${fmtInt(alerterWork.sweeps)} sweeps, mean ${fmtInt(alerterWork.sweepMeanMs)} ms, ${fmtInt(alerterWork.sweepsSkipped)} skipped (lease held)`,
  );
  progress(
    `  slowest probes, with the alerter's background work that overlapped them: ${slowest.map((s) => `second ${s.second} ${fmtInt(s.ms)} ms (${s.during.join(", ") || "none"})`).join("; ")}`,
  );
  progress(
    `  statements active over 1 s during the run (sampled each second; the longest 5): ${
      longest
        .map((l) => `${fmt1(l.seconds)} s waiting on ${[...l.waits].join("/")}: ${l.query}`)
        .join(" | ") || "none"
    }`,
  );
  const describeCores = ["ingest", "alerter", "postgres", "bench", "other", "machine"]
    .map((k) => `${k === "bench" ? "bench (simulator + probes)" : k} ${fmt2(cores[k] ?? Number.NaN)}`)
    .join(", ");
  progress(`  CPU over the ${fmt1(cpuSeconds)} s after the warm-up (cores of 2): ${describeCores}`);

  const mark = (ok: boolean) => (ok ? "met" : "MISSED");
  const conditions = [
    `load average at start ${loadAtStart} (2 cores shared with other work)`,
    `PostgreSQL ${database.mode} (${pgSettings})`,
    dataConditions,
    `${fmtInt(rules)} rules (10 per device: every aggregate, windows 1–10 min)`,
    "notices: each owner's one channel is their account e-mail and there is no mail server, so every notice is routed and its delivery written in the transition, then recorded as skipped (no mail or webhook is sent)",
    `event-driven run: ingest and alerter as processes, local queue, default settings (EVALUATION_INTERVAL_MS=${evaluationIntervalMs}, FLUSH_INTERVAL_MS=${flushIntervalMs}, SWEEP_INTERVAL_MS default), NODE_ENV=production`,
    `simulator: ${DEVICES} devices × ${METRICS.length} metrics, one {ts, values} POST a second each (${fmtInt(counters.acked / EVENT_SECONDS)} req/s acknowledged on average), ${EVENT_SECONDS} s; probes one a second to distinct devices, the first ${WARMUP_SECONDS} s not counted`,
  ];
  const figures = {
    conditions,
    devices: DEVICES,
    rules,
    readings,
    loadSeconds: Math.round(loadSeconds),
    rollupSeconds: Math.round(rollupSeconds),
    firstSweepMs: Math.round(firstSweepMs),
    firstSweepTransitions: sweeps[0]?.transitions ?? 0,
    sweepMs: Math.round(sweepMs),
    sweeps: sweeps.map((s) => Math.round(s.ms)),
    event,
  };
  for (const line of conditions) console.log(`conditions: ${line}`);
  reportResults("alerter", {
    title: `alerter: ${fmtInt(rules)} rules over ${fmtInt(DEVICES)} devices, ${fmtInt(readings)} readings, durable; load average ${loadAtStart} at start`,
    header: ["measure", "figure", "goal"],
    rows: [
      [
        "steady sweep (median of 3)",
        `${fmtInt(sweepMs)} ms (${sweeps
          .slice(1)
          .map((s) => fmtInt(s.ms))
          .join(", ")})`,
        `< 2000 ms: ${mark(sweepMs < 2000)}`,
      ],
      [
        `first sweep (writes ${fmtInt(figures.firstSweepTransitions)} transitions)`,
        `${fmtInt(firstSweepMs)} ms`,
        `< 5000 ms: ${mark(firstSweepMs < 5000)}`,
      ],
      [
        `commit-to-firing p50 / p99 under load (${event.fired}/${event.probes} fired, ${EVENT_SECONDS - WARMUP_SECONDS} s)`,
        `${event.p50Ms} / ${event.p99Ms} ms`,
        `p99 < 300 ms: ${mark(event.fired === event.probes && event.p99Ms < 300)}`,
      ],
      ...["ingest", "alerter", "postgres", "bench", "machine"].map((k) => [
        `CPU during the run: ${k === "bench" ? "bench (simulator + probes)" : k === "postgres" ? "PostgreSQL (all processes)" : k === "machine" ? "machine (all, incl. other work)" : k}`,
        `${fmt2(cores[k] ?? Number.NaN)} cores`,
        "",
      ]),
    ],
    figures,
  });
}

/** The alerter's roll-ups and VACUUMs, from its log lines: what, when (epoch ms), how long. */
function backgroundWork(output: string): { what: string; start: number; end: number; ms: number }[] {
  const kinds: Record<string, string> = {
    "readings rolled up": "minute roll-up",
    "new readings vacuumed": "VACUUM",
  };
  const work: { what: string; start: number; end: number; ms: number }[] = [];
  for (const line of output.split("\n")) {
    if (!line.startsWith("{")) continue;
    try {
      const entry = JSON.parse(line) as { msg?: string; time?: number; ms?: number };
      const what = kinds[entry.msg ?? ""];
      if (what && typeof entry.time === "number" && typeof entry.ms === "number")
        work.push({ what, start: entry.time - entry.ms, end: entry.time, ms: entry.ms });
    } catch {
      // not a log line
    }
  }
  return work;
}

await runBench(main);
