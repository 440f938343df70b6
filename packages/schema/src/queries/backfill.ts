// A device's backfilled history (the demo's greenhouse sensor): readings from before the device
// was provisioned, a rule, and the alerts the rule had over them, stored in one transaction so
// that a crash leaves all of it or none. Raw SQL on the postgres-js client: the readings go in as
// one unnest-array insert (on `db.$client`). Scoped by owner in the query, like every device query.
import type { Database } from "../client";
import type { RuleState } from "./alert-evaluation";
import { ensurePartitions } from "./partitions";

// Done already, or set up by the owner: the device has a rule, or readings from before it was
// provisioned (a backfill writes those; a live device hardly ever does). Over the device's time
// index and its rules.
const BACKFILLED = (device: string) => `(
  exists (select 1 from alert_rules r where r.device_id = ${device}.id)
  or exists (select 1 from sensor_readings_all s where s.device_id = ${device}.id and s.recorded_at < ${device}.created_at))`;

export interface BackfillState {
  /** The database's clock, epoch ms. */
  nowMs: number;
  /** The device's earliest reading: when it was recorded (ms, floored) and stored (ms, ceiled). */
  earliestRecordedMs: number | null;
  earliestReceivedMs: number | null;
  /** A backfill is there already (or the owner has set the device up): none is to be made. */
  backfilled: boolean;
}

/** Where a backfill of the owner's device would stand; undefined when the device is not theirs. */
export async function backfillState(
  db: Database,
  ownerId: string,
  deviceId: string,
): Promise<BackfillState | undefined> {
  const sql = db.$client;
  const [row] = await sql<BackfillState[]>`
    select floor(extract(epoch from now()) * 1000)::float8 as "nowMs",
           floor(extract(epoch from e.recorded_at) * 1000)::float8 as "earliestRecordedMs",
           ceil(extract(epoch from e.received_at) * 1000)::float8 as "earliestReceivedMs",
           ${sql.unsafe(BACKFILLED("d"))} as backfilled
    from devices d
    left join lateral (
      select s.recorded_at, s.received_at from sensor_readings_all s
      where s.device_id = d.id order by s.recorded_at limit 1
    ) e on true
    where d.id = ${deviceId} and d.owner_id = ${ownerId}`;
  return row;
}

/** A rule as a backfill stores it: the rule's own fields (as evaluation reads them) and when it was made. */
export type BackfillRule = Pick<
  RuleState,
  "metric" | "comparator" | "threshold" | "recoveryThreshold" | "windowSeconds" | "aggregate" | "noData"
> & { createdAt: Date };

/** An alert the rule had, as the alerter records one (resolvedAt null: still firing). */
export interface BackfillAlert {
  triggeredAt: Date;
  value: number;
  windowStart: Date;
  windowEnd: Date;
  resolvedAt: Date | null;
  resolvedValue: number | null;
}

export interface DeviceBackfill {
  ownerId: string;
  deviceId: string;
  /** Columnar readings: `values[m][i]` is metric `metrics[m]` at `times[i]` (epoch ms). */
  readings: { metrics: readonly string[]; times: readonly number[]; values: readonly (readonly number[])[] };
  rule: BackfillRule;
  alerts: readonly BackfillAlert[];
}

export interface BackfillResult {
  /** False: a backfill was there already (see BackfillState.backfilled), nothing was written. */
  written: boolean;
  readings: number;
  /** The transaction's start, epoch ms rounded up: the readings' received_at, at or before it. */
  receivedAtMs: number;
}

/**
 * Stores the backfill in one transaction, unless one is there already: concurrent calls for the
 * same device take turns (a transaction-scoped advisory lock) and the second finds the first's.
 * Readings keep the default received_at (the transaction's start), like every insert; one that
 * exists already (same device, metric and time) is kept. The alerts' fired and resolved events
 * are recorded as handled, so nothing is delivered for them: `delivered` when the owner has a
 * webhook, else `skipped`, as the alerter records an event for an owner without one.
 */
export async function backfillDeviceHistory(db: Database, backfill: DeviceBackfill): Promise<BackfillResult> {
  const sql = db.$client;
  const { ownerId, deviceId, readings, rule } = backfill;
  const count = readings.times.length;
  const flat = readings.values.flatMap((v) => {
    if (v.length !== count) throw new RangeError("every metric needs a value at every time");
    return v;
  });
  // The days it covers need their partitions first (their DDL stays out of this transaction).
  if (count > 0) {
    const [first, last] = readings.times.reduce(
      ([lo, hi], t) => [Math.min(lo, t), Math.max(hi, t)],
      [Infinity, -Infinity],
    );
    await ensurePartitions(db, "sensor_readings", new Date(first), new Date(last));
  }
  return sql.begin(async (tx) => {
    const [start] = await tx<{ receivedAtMs: number }[]>`
      select ceil(extract(epoch from now()) * 1000)::float8 as "receivedAtMs"
      from (select pg_advisory_xact_lock(hashtextextended('pulseboard.backfill:' || ${deviceId}, 0))) as l`;
    const receivedAtMs = start?.receivedAtMs ?? 0;
    const [device] = await tx<{ backfilled: boolean }[]>`
      select ${tx.unsafe(BACKFILLED("d"))} as backfilled
      from devices d where d.id = ${deviceId} and d.owner_id = ${ownerId}`;
    if (!device || device.backfilled) return { written: false, readings: 0, receivedAtMs };
    const inserted = await tx`
      insert into sensor_readings (device_id, metric, value, recorded_at)
      select ${deviceId}::uuid, m.metric, (${flat}::float8[])[((m.k - 1) * ${count} + t.i)::int],
             to_timestamp(t.ms / 1000)
      from unnest(${[...readings.times]}::float8[]) with ordinality as t(ms, i)
      cross join unnest(${[...readings.metrics]}::text[]) with ordinality as m(metric, k)
      on conflict do nothing`;
    const [created] = await tx<{ id: string }[]>`
      insert into alert_rules (device_id, metric, comparator, threshold, window_seconds, aggregate,
                               recovery_threshold, no_data, created_at)
      values (${deviceId}, ${rule.metric}, ${rule.comparator}, ${rule.threshold}::numeric, ${rule.windowSeconds},
              ${rule.aggregate}, ${rule.recoveryThreshold}::numeric, ${rule.noData},
              ${rule.createdAt.toISOString()}::timestamptz)
      returning id`;
    if (!created) throw new Error("the backfill's rule was not created");
    for (const alert of backfill.alerts) {
      const resolvedAt = alert.resolvedAt?.toISOString() ?? null;
      const [row] = await tx<{ id: string }[]>`
        insert into alerts (rule_id, device_id, status, triggered_at, value, window_start, window_end,
                            resolved_at, resolved_value)
        values (${created.id}, ${deviceId}, ${resolvedAt ? "resolved" : "firing"},
                ${alert.triggeredAt.toISOString()}::timestamptz, ${alert.value}::numeric,
                ${alert.windowStart.toISOString()}::timestamptz, ${alert.windowEnd.toISOString()}::timestamptz,
                ${resolvedAt}::timestamptz, ${alert.resolvedValue}::numeric)
        returning id`;
      if (!row) throw new Error("the backfill's alert was not created");
      // History: its notices count as sent long ago, so nothing is sent for them now.
      await tx`
        insert into alert_events (alert_id, owner_id, kind, value, at, notice, notice_at)
        select ${row.id}::uuid, ${ownerId}, e.kind, e.value, e.at, 'sent', e.at
        from (values ('fired', ${alert.value}::numeric, ${alert.triggeredAt.toISOString()}::timestamptz),
                     ('resolved', ${alert.resolvedValue}::numeric, ${resolvedAt}::timestamptz)) as e(kind, value, at)
        where e.at is not null`;
    }
    return { written: true, readings: inserted.count, receivedAtMs };
  });
}
