// `pnpm bench` (schema): deleting a device with a million readings. One device reported four
// metrics every 4 s for 11.6 days (1,000,000 readings) among 19 others (four metrics every 40 s),
// stored in time order as the ingest interleaves them, in day partitions, rolled up to minutes,
// with a day of message ids, rules, alerts and workouts naming it. Prints:
//   - how long the deletion takes to answer (deleteDevice, committed), with the cascades it still
//     runs (from EXPLAIN ANALYZE of the same statement, rolled back);
//   - for comparison, the same readings deleted in one statement, as the seed's cascade did
//     (rolled back);
//   - the background purge: calls of its default share (what one sweep runs) until nothing is
//     left: total time, rows/s, per-call p50 and max.
// Durable settings (fsync, synchronous commit, full-page writes on). Uses DATABASE_URL when set,
// otherwise a throwaway embedded PostgreSQL. BENCH_TARGET_READINGS scales the device (default 1M).
// @pulseboard/devstack depends on this package, so it is not declared here (that would be a
// cycle); it resolves through the workspace root, which declares it.
import {
  benchDatabase,
  fmtInt,
  onCleanup,
  percentile,
  progress,
  reportResults,
  runBench,
} from "@pulseboard/devstack/bench";
import { createDb, createPooledClient } from "../src/client";
import { PURGE_DEFAULTS, purgeDeletedDevices, purgedLeaves } from "../src/queries/device-purge";
import { deleteDevice } from "../src/queries/devices";
import { ensurePartitions } from "../src/queries/partitions";
import { rollUpClosedMinutes } from "../src/queries/rollups";

const METRICS = ["temperature", "humidity", "pressure", "co2"];
const TARGET_READINGS = Number(process.env.BENCH_TARGET_READINGS ?? 1_000_000);
const TARGET_STEP_S = 4;
const OTHERS = 19;
const OTHER_STEP_S = 40;
/** The target's message instants per insert statement: an hour. */
const CHUNK = 3600 / TARGET_STEP_S;
const GOAL_MS = 1000;

async function main() {
  const database = await benchDatabase({
    name: "pulseboard_bench_device_delete",
    fresh: true,
    durable: true,
  });
  onCleanup("database", () => database.close());
  const sql = createPooledClient(database.url, { max: 2, applicationName: "pulseboard-bench-device-delete" });
  onCleanup("benchmark client", () => sql.end({ timeout: 5 }));
  // The query functions' handle, on a client of its own (Drizzle changes its client's timestamp parsing).
  const db = createDb(
    createPooledClient(database.url, { max: 2, applicationName: "pulseboard-bench-device-delete" }),
  );
  onCleanup("query handle", () => db.$client.end({ timeout: 5 }));

  // Owners and devices: the target's owner has it and a workout history naming it.
  const ownerId = crypto.randomUUID();
  await sql`insert into "user" (id, name, email, updated_at) values (${ownerId}, 'bench', ${`${ownerId}@bench.local`}, now())`;
  const devices = await sql<{ id: string }[]>`
    insert into devices (owner_id, name, device_key)
    select ${ownerId}, 'bench ' || g, encode(sha256((${ownerId} || g)::bytea), 'hex')
    from generate_series(0, ${OTHERS}) g
    returning id`;
  const [target, ...others] = devices.map((d) => d.id);
  if (!target) throw new Error("no device");

  const instants = Math.ceil(TARGET_READINGS / METRICS.length);
  const spanS = instants * TARGET_STEP_S;
  const [{ startIso } = { startIso: "" }] = await sql<{ startIso: string }[]>`
    select to_char((date_trunc('second', now()) - make_interval(secs => ${spanS + 120})) at time zone 'UTC',
                   'YYYY-MM-DD"T"HH24:MI:SS"Z"') as "startIso"`;
  const start = new Date(startIso);
  const ensured = await ensurePartitions(db, "sensor_readings", start, new Date());
  progress(
    `loading ${fmtInt(instants * METRICS.length)} readings of one device (4 metrics every ${TARGET_STEP_S} s) among ${OTHERS} others (every ${OTHER_STEP_S} s), ${(spanS / 86_400).toFixed(1)} days, ${ensured.created.length} partitions made…`,
  );
  for (let g0 = 0; g0 < instants; g0 += CHUNK) {
    const g1 = Math.min(instants, g0 + CHUNK);
    const ratio = OTHER_STEP_S / TARGET_STEP_S;
    await sql`
      insert into sensor_readings (device_id, metric, value, recorded_at, received_at)
      select device, metric, value, t, t + interval '0.5 seconds' from (
        select ${target}::uuid as device, m.metric, round((20 + 5 * sin(g / 900.0) + random())::numeric, 2) as value,
               ${startIso}::timestamptz + make_interval(secs => g * ${TARGET_STEP_S}) as t
        from generate_series(${g0}::int, ${g1 - 1}::int) g cross join unnest(${METRICS}::text[]) m(metric)
        union all
        select d.id, m.metric, round((20 + random() * 5)::numeric, 2),
               ${startIso}::timestamptz + make_interval(secs => j * ${OTHER_STEP_S} + d.k::int)
        from generate_series(${Math.ceil(g0 / ratio)}::int, ${Math.ceil(g1 / ratio) - 1}::int) j
        cross join unnest(${others}::uuid[]) with ordinality d(id, k)
        cross join unnest(${METRICS}::text[]) m(metric)
      ) x
      order by t`;
    if ((g0 / CHUNK) % 48 === 0) progress(`  ${((g0 * TARGET_STEP_S) / 86_400).toFixed(1)} days`);
  }
  // What else a deleted device takes with it: a day of message ids (one per message), rules with
  // an alert history (events, deliveries), rejections, workouts naming it; and the same around it.
  await sql`
    insert into device_message_ids (device_id, mid, stored_at)
    select ${target}::uuid, 'm-' || g, now() - make_interval(secs => g * ${TARGET_STEP_S})
    from generate_series(1, ${86_400 / TARGET_STEP_S}::int) g`;
  await sql`
    with rules as (
      insert into alert_rules (device_id, metric, comparator, threshold)
      select d, m, 'gt', 30 from unnest(${devices.map((d) => d.id)}::uuid[]) d, unnest(array['temperature', 'co2']) m
      returning id, device_id
    ), fired as (
      insert into alerts (rule_id, device_id, status, triggered_at, resolved_at, value)
      select r.id, r.device_id, 'resolved', now() - make_interval(hours => g), now() - make_interval(hours => g) + interval '5 minutes', 31
      from rules r, generate_series(1, 100) g
      returning id, triggered_at
    ), events as (
      insert into alert_events (alert_id, owner_id, kind, value, at, notice, notice_at)
      select f.id, ${ownerId}, k, 31, f.triggered_at, 'sent', f.triggered_at
      from fired f, unnest(array['fired', 'resolved']) k
      returning id, at
    )
    insert into alert_deliveries (event_id, destination, status, attempts, next_attempt_at)
    select id, 'webhook', 'delivered', 1, at from events`;
  await sql`
    insert into device_rejections (device_id, hour, reason, count, last_at)
    select ${target}::uuid, date_trunc('hour', now()) - make_interval(hours => g), 'bad_value', 3, now() - make_interval(hours => g)
    from generate_series(0, 47) g`;
  await sql`
    insert into workout_logs (user_id, performed_at, device_id, heart_rate_metric)
    select ${ownerId}, now() - make_interval(days => g), ${target}::uuid, 'temperature' from generate_series(1, 11) g`;

  progress("rolling up (as the sweeps would have)…");
  const rolled = await rollUpClosedMinutes(db);
  progress(`  ${fmtInt(rolled.readings)} readings into ${fmtInt(rolled.rows)} minute rows`);
  await sql`vacuum (analyze)`;
  await sql`checkpoint`;

  const leaves = await purgedLeaves(sql);
  const counts = async (deviceId: string) => {
    let n = 0;
    for (const leaf of leaves) {
      const [row] = await sql.unsafe<{ n: number }[]>(
        `select count(*)::int as n from ${leaf} where device_id = $1::uuid`,
        [deviceId],
      );
      n += row?.n ?? 0;
    }
    return n;
  };
  const [stats] = await sql<{ readings: number; partitions: number; rollups: number; size: string }[]>`
    select (select count(*) from sensor_readings)::int as readings,
           (select count(*) from pg_inherits where inhparent = 'sensor_readings'::regclass)::int as partitions,
           (select count(*) from reading_rollups_1m)::int as rollups,
           pg_size_pretty((select sum(pg_total_relation_size(inhrelid)) from pg_inherits
                           where inhparent = 'sensor_readings'::regclass)::bigint) as size`;
  const targetRows = await counts(target);
  const [targetSplit] = await sql<{ readings: number; rollups: number }[]>`
    select (select count(*) from sensor_readings where device_id = ${target})::int as readings,
           (select count(*) from reading_rollups_1m where device_id = ${target})::int as rollups`;
  const othersBefore = await Promise.all(others.map((d) => counts(d)));
  const partitionsWithTarget = (
    await Promise.all(
      leaves.map(
        async (leaf) =>
          (
            await sql.unsafe<{ any: boolean }[]>(
              `select exists (select 1 from ${leaf} where device_id = $1::uuid) as any`,
              [target],
            )
          )[0]?.any,
      ),
    )
  ).filter(Boolean).length;
  progress(
    `stored: ${fmtInt(stats?.readings ?? 0)} readings in ${stats?.partitions} partitions (${stats?.size}), the device's ${fmtInt(targetRows)} rows in ${partitionsWithTarget} leaves; ${fmtInt(stats?.rollups ?? 0)} minute rows`,
  );

  // For comparison: the same readings in one statement, as the seed's cascade deleted them.
  progress("for comparison: deleting the device's readings in one statement (rolled back)…");
  let t0 = performance.now();
  await sql
    .begin(async (tx) => {
      await tx`delete from sensor_readings where device_id = ${target}`;
      throw new RollBack();
    })
    .catch((error) => {
      if (!(error instanceof RollBack)) throw error;
    });
  const cascadeMs = performance.now() - t0;
  progress(`  ${(cascadeMs / 1000).toFixed(2)} s`);
  // Its rolled-back deletion marked every row: read them all once (hint bits), as the first
  // reader after it would, then a checkpoint, so what follows starts from a settled table.
  await sql`vacuum sensor_readings`;
  await sql`checkpoint`;

  // The cascades the deletion still runs, each timed (the same statement, rolled back).
  const plan = await sql
    .begin(async (tx) => {
      const lines = await tx.unsafe<{ "QUERY PLAN": string }[]>(
        "explain (analyze) delete from devices where id = $1",
        [target],
      );
      throw new RollBack(lines.map((l) => l["QUERY PLAN"]));
    })
    .catch((error) => {
      if (!(error instanceof RollBack)) throw error;
      return error.lines;
    });
  const cascades = plan
    .filter((l) => l.startsWith("Trigger"))
    .map((l) => l.replace(/^Trigger (for constraint )?/, "").replace(/_devices_id_fk|_id_fk/, ""));
  await sql`checkpoint`;

  t0 = performance.now();
  if (!(await deleteDevice(db, ownerId, target))) throw new Error("the device was not deleted");
  const deleteMs = performance.now() - t0;
  progress(`deleteDevice answered in ${deleteMs.toFixed(1)} ms`);

  progress(`purging in calls of ${fmtInt(PURGE_DEFAULTS.maxRows)} rows (one sweep's share)…`);
  const calls: { rows: number; ms: number }[] = [];
  const purgeStart = performance.now();
  for (;;) {
    const began = performance.now();
    // Grace 0: nothing else writes here (a deployment waits a minute before the last check).
    const result = await purgeDeletedDevices(db, { graceSeconds: 0 });
    calls.push({ rows: result.rows, ms: performance.now() - began });
    if (result.failed.length > 0) throw result.failed[0]?.error;
    if (result.queued === 0) break;
    if (calls.length > 1000) throw new Error("the purge did not finish");
  }
  const purgeMs = performance.now() - purgeStart;
  const purged = calls.reduce((sum, c) => sum + c.rows, 0);
  const callMs = calls.map((c) => c.ms);
  progress(`  ${fmtInt(purged)} rows in ${(purgeMs / 1000).toFixed(1)} s, ${calls.length} calls`);

  const left = await counts(target);
  const othersAfter = await Promise.all(others.map((d) => counts(d)));
  const intact = othersAfter.every((n, i) => n === othersBefore[i]);
  const met = deleteMs < GOAL_MS;
  reportResults("device-delete", {
    title: [
      `device delete: one device's ${fmtInt(targetSplit?.readings ?? 0)} readings (4 metrics every ${TARGET_STEP_S} s, ${(spanS / 86_400).toFixed(1)} days) and ${fmtInt(targetSplit?.rollups ?? 0)} minute roll-up rows, in ${partitionsWithTarget} tables (day partitions, roll-ups), among ${OTHERS} other devices' (every ${OTHER_STEP_S} s), stored interleaved in time order: ${fmtInt(stats?.readings ?? 0)} readings in ${stats?.partitions} partitions (${stats?.size}), ${fmtInt(stats?.rollups ?? 0)} minute rows`,
      `  the device also has ${fmtInt(86_400 / TARGET_STEP_S)} message ids, 2 rules with 200 alerts (400 events and deliveries), 48 rejection rows, 11 workouts; ${database.description}`,
      `  the deletion's cascades (EXPLAIN ANALYZE, rolled back): ${cascades.join("; ")}`,
      `  goal: deleting a device answers < ${GOAL_MS} ms: ${met ? "met" : "NOT met"} (${deleteMs.toFixed(1)} ms)`,
      `  afterwards: ${fmtInt(left)} of the device's rows left; the other devices' rows ${intact ? "untouched" : "CHANGED"}`,
    ].join("\n"),
    header: ["step", "figure"],
    rows: [
      ["deleteDevice answered (committed)", `${deleteMs.toFixed(1)} ms`],
      [
        "for comparison: its readings in one DELETE (the seed's cascade; rolled back)",
        `${(cascadeMs / 1000).toFixed(1)} s`,
      ],
      ["background purge: rows", fmtInt(purged)],
      ["background purge: total", `${(purgeMs / 1000).toFixed(1)} s in ${calls.length} calls`],
      ["background purge: rows/s", fmtInt(purged / (purgeMs / 1000))],
      [
        `one call (≤ ${fmtInt(PURGE_DEFAULTS.maxRows)} rows, batches of ${fmtInt(PURGE_DEFAULTS.batchRows)}): p50 / max`,
        `${percentile(callMs, 50).toFixed(0)} / ${Math.max(...callMs).toFixed(0)} ms`,
      ],
    ],
    figures: {
      readings: stats?.readings,
      partitions: stats?.partitions,
      deviceRows: targetRows,
      deviceReadings: targetSplit?.readings,
      deviceRollupRows: targetSplit?.rollups,
      rollupRows: stats?.rollups,
      deleteMs: Number(deleteMs.toFixed(1)),
      cascades,
      oneStatementCascadeMs: Math.round(cascadeMs),
      purge: { rows: purged, ms: Math.round(purgeMs), calls: calls.length, callMs: callMs.map(Math.round) },
      left,
      othersIntact: intact,
      goalMet: met,
      database: database.description,
    },
  });
  if (left !== 0 || !intact) process.exitCode = 1;
}

/** Thrown to roll a measured transaction back, carrying what it measured. */
class RollBack extends Error {
  constructor(readonly lines: string[] = []) {
    super("rolled back on purpose");
  }
}

await runBench(main);
