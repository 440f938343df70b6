// Rollups of a device's readings for charts: min/avg/max/count per time bucket, computed in
// PostgreSQL — never by loading raw rows into Node. Owner-scoped in the query itself: another
// owner's device yields nothing. docs/rollup-tiers.md describes the tiers and chart ranges.
//
// Three stored sources and the raw readings, combined in one query (read in one snapshot with
// the watermarks):
// - `reading_rollups_1h`: append-only min/max/sum/count per device, metric and hour, written by
//   `rollUpClosedDays` from the minute rows once their UTC day has ended. A 365-day chart reads
//   8,760 of these per series.
// - `reading_rollups_1m`: the same per minute, written by `rollUpClosedMinutes` (the alerter's
//   sweep runs both every minute), read through the view `reading_rollups_1m_all` (which also
//   shows the pre-partitioning table until its rows are moved). A 30-day chart's last day, a
//   7-day chart's buckets of 30 minutes, read these.
// - the readings not rolled up yet (the last few minutes, and late arrivals), and the partial
//   minutes at a range's edges, read raw through the view `sensor_readings_all`.
//
// Which side of the minute roll-up a reading is on is decided by one watermark,
// `rollup_watermarks.cutoff` of `reading_rollups_1m`: a reading is rolled up exactly when its
// *rollable time* is at or before the cutoff, where
//
//   rollable = least(greatest(received_at, end of its recorded minute), received_at + 1 minute)
//
// On-time readings become rollable when their minute ends, so a minute is normally one row; a
// reading stamped in the future becomes rollable a minute after it arrived (its minute may get a
// further row later); a late reading becomes rollable when it arrives, and its minute gets a
// further row. Because rollable time never exceeds received_at + 1 minute, both the roll-up and
// a chart's raw tail find what they need cheaply: the roll-up over the BRIN index on
// received_at, a chart over the device's time index for its last few minutes and the partial
// `idx_reading_late` index for its late arrivals.
//
// The hourly tier has its own watermark, on the minute rows' `rolled_at` (the minute cutoff that
// wrote them): a minute row is in the hourly tier exactly when
//
//   hour-rollable = greatest(rolled_at, end of its bucket's UTC day)
//
// is at or before the hourly cutoff. So a day's minutes are rolled up together once the day has
// ended (in series order: each series' 24 hours sit together on disk), and a minute row written
// later (a late reading, the day's last minute) adds a further row for its hour. The hourly
// cutoff never passes the minute cutoff, so every minute row it covers has been committed.

import type { PendingQuery, Row, TransactionSql } from "postgres";
import type { Database, SqlClient } from "../client";
import { UnavailableError } from "../errors";
import { parsePartitionName } from "../partitions";
import { chooseBucketSeconds, planTiers, type TierPlan } from "../tiers";
import { LEGACY_MINUTE_ROLLUPS } from "./legacy-moves";
import { oldestOpenTransaction } from "./open-transactions";
import { ensurePartitions, listPartitions } from "./partitions";

// Kept here too for the callers that have always imported them from here.
export { BUCKET_STEPS, MAX_POINTS } from "../tiers";
export { chooseBucketSeconds };

export interface RollupPoint {
  /** Bucket start, ISO-8601 UTC. */
  t: string;
  min: number;
  avg: number;
  max: number;
  count: number;
}

export interface RollupRequest {
  ownerId: string;
  deviceId: string;
  metric: string;
  from: Date;
  to: Date;
  bucketSeconds: number;
}

export interface ChartOptions {
  /**
   * Cancel the chart's statements past this many milliseconds (`SET LOCAL statement_timeout` in
   * its transaction, so a pooled connection keeps its own setting); an UnavailableError then.
   */
  statementTimeoutMs?: number;
}

/** The watermark row of the one-minute rollups. */
export const ROLLUP_1M = "reading_rollups_1m";
/** The watermark row of the hourly rollups. */
export const ROLLUP_1H = "reading_rollups_1h";

// A reading's rollable time, for `sensor_readings_all s` (see the top of this file). Kept in step
// with the constants below: the 1-minute cap, and idx_reading_late's 2-minute predicate.
export const ROLLABLE = `least(greatest(s.received_at,
  date_bin('1 minute', s.recorded_at, timestamptz '1970-01-01 00:00:00+00') + interval '1 minute'),
  s.received_at + interval '1 minute')`;

// Minute rows `m` written after their UTC day ended: exactly idx_rollup_1m_after_day's predicate
// (the planner uses the partial index only for this text).
const AFTER_DAY = `m.rolled_at - date_bin('1 day', m.bucket_start, timestamptz '1970-01-01 00:00:00+00') > interval '1 day'`;

/** A timestamptz as ISO-8601 UTC with microseconds, or '-infinity'; it goes back as `::text::timestamptz`. */
const ISO_OR_INFINITY = (column: string) =>
  `case when isfinite(${column}) then to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') else '-infinity' end`;

/**
 * The minute roll-up's cutoff as ISO-8601 (or '-infinity'), read in the caller's snapshot: what
 * the minute rows of that snapshot cover.
 */
export async function minuteRollupCutoff(sql: SqlClient | TransactionSql): Promise<string> {
  const [mark] = await sql<{ cutoff: string }[]>`
    select coalesce((select ${sql.unsafe(ISO_OR_INFINITY("w.cutoff"))} from rollup_watermarks w where w.name = ${ROLLUP_1M}),
                    '-infinity') as cutoff`;
  return mark?.cutoff ?? "-infinity";
}

const QUERY_CANCELED = "57014";
const RECOVERY_CONFLICT = "40001";

/** Runs a chart's statements in one read-only snapshot under its statement timeout. */
async function chartTransaction<T>(
  sql: SqlClient,
  { statementTimeoutMs }: ChartOptions,
  work: (tx: SqlClient) => Promise<T>,
): Promise<T> {
  try {
    return (await sql.begin("isolation level repeatable read read only", async (tx) => {
      if (statementTimeoutMs !== undefined) {
        await tx`select set_config('statement_timeout', ${`${Math.max(1, Math.round(statementTimeoutMs))}ms`}, true)`;
      }
      return work(tx as unknown as SqlClient);
    })) as T;
  } catch (error) {
    const code = (error as { code?: string }).code;
    // A read-only transaction fails serialization only on a standby, cancelled by a conflict with
    // the replay of the primary's changes: the same read a moment later succeeds.
    if (code === RECOVERY_CONFLICT) {
      throw new UnavailableError("the chart's read conflicted with the read replica's replay; try again", {
        retryAfterSeconds: 1,
        cause: error,
      });
    }
    if (code !== QUERY_CANCELED) throw error;
    const seconds = Math.max(1, Math.ceil((statementTimeoutMs ?? 1000) / 1000));
    throw new UnavailableError(
      `the chart took longer than ${statementTimeoutMs ?? "allowed"} ms to compute; try again in ${seconds} s`,
      { retryAfterSeconds: seconds, cause: error },
    );
  }
}

/**
 * Buckets with readings in [from, to), aligned to the Unix epoch in UTC (so they do not move
 * with the server's time zone or daylight saving); buckets without readings are omitted.
 * Buckets of whole hours combine the hourly rollups of closed days, the minute rollups of the
 * rest and the readings not rolled up yet; buckets of whole minutes the last two; other buckets
 * are computed from the readings. Either way the figures equal a direct computation over the
 * readings (avg is the numeric sum over the count, as avg() computes it). Which buckets a range
 * may ask for (the tiers' retention) is the caller's to check: tiers.ts, chartBucketSeconds.
 */
export async function rollupReadings(
  db: Database,
  request: RollupRequest,
  options: ChartOptions = {},
): Promise<RollupPoint[]> {
  return chartTransaction(db.$client, options, async (tx) => {
    if (request.bucketSeconds % 60 !== 0) return fromReadings(tx, request);
    const [marks] = await tx<{ minute: string; hour: string | null }[]>`
      select coalesce((select ${tx.unsafe(ISO_OR_INFINITY("w.cutoff"))} from rollup_watermarks w where w.name = ${ROLLUP_1M}),
                      '-infinity') as minute,
             (select case when isfinite(w.cutoff) then ${tx.unsafe(ISO_OR_INFINITY("w.cutoff"))} end
              from rollup_watermarks w where w.name = ${ROLLUP_1H}) as hour`;
    const hourly = marks?.hour ?? null;
    const plan = planTiers(request.from, request.to, request.bucketSeconds, hourly ? new Date(hourly) : null);
    if (!plan) return fromReadings(tx, request);
    return storedWithTail(tx, request, plan, marks?.minute ?? "-infinity", hourly ?? "-infinity");
  });
}

/**
 * The same figures computed at query time from the readings alone, over the (device_id, metric,
 * recorded_at) index: what buckets that are not whole minutes use, and what `pnpm bench`
 * compares with.
 */
export async function rollupFromReadings(
  db: Database,
  request: RollupRequest,
  options: ChartOptions = {},
): Promise<RollupPoint[]> {
  return chartTransaction(db.$client, options, (tx) => fromReadings(tx, request));
}

async function fromReadings(sql: SqlClient, request: RollupRequest): Promise<RollupPoint[]> {
  const { ownerId, deviceId, metric, from, to, bucketSeconds } = request;
  const rows = await sql<RollupPoint[]>`
    select to_char(b.bucket at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as t,
           b.min, b.avg, b.max, b.count
    from (
      select date_bin(make_interval(secs => ${bucketSeconds}), r.recorded_at, timestamptz '1970-01-01 00:00:00+00') as bucket,
             min(r.value)::float8 as min, avg(r.value)::float8 as avg, max(r.value)::float8 as max, count(*)::int as count
      from sensor_readings_all r
      join devices d on d.id = r.device_id and d.owner_id = ${ownerId}
      where r.device_id = ${deviceId} and r.metric = ${metric}
        and r.recorded_at >= ${from.toISOString()}::timestamptz and r.recorded_at < ${to.toISOString()}::timestamptz
      group by 1
    ) b
    order by b.bucket`;
  return rows.map((r) => ({ t: r.t, min: r.min, avg: r.avg, max: r.max, count: r.count }));
}

/**
 * The hourly rows of [hourFrom, hourTo) + the minute rows of those hours the hourly tier does
 * not hold yet + the minute rows of the rest of [first, last) + the readings of those minutes not
 * rolled up yet + every reading of the partial edge minutes, re-binned to the bucket. The
 * watermarks were read in the same repeatable-read snapshot, so a roll-up committing meanwhile
 * cannot make a reading count twice or not at all; and the planner sees the cutoffs as values
 * (not subqueries it must guess about), which keeps it on the narrow indexes for the tails.
 */
async function storedWithTail(
  sql: SqlClient,
  request: RollupRequest,
  plan: TierPlan,
  minuteCutoff: string,
  hourlyCutoff: string,
): Promise<RollupPoint[]> {
  const { ownerId, deviceId, metric, from, to, bucketSeconds } = request;
  const [fromIso, toIso] = [from.toISOString(), to.toISOString()];
  const [firstIso, lastIso] = [plan.first.toISOString(), plan.last.toISOString()];
  const [hourFromIso, hourToIso] = [plan.hourFrom.toISOString(), plan.hourTo.toISOString()];
  const cutoff = minuteCutoff;
  const rows = await sql<RollupPoint[]>`
    with device as (
      select d.id from devices d where d.id = ${deviceId} and d.owner_id = ${ownerId}
    ),
    parts as (
      -- Whole hours of closed days: the hourly rows (every row of each hour: later minute rows add rows).
      select h.bucket_start as t, h.min, h.max, h.sum, h.count::bigint as n
      from reading_rollups_1h h
      where h.device_id = (select id from device) and h.metric = ${metric}
        and h.bucket_start >= ${hourFromIso}::timestamptz and h.bucket_start < ${hourToIso}::timestamptz
      union all
      -- Minute rows of those hours written after the hourly cutoff: written after their day ended
      -- (nothing else there can be that recent), so from the partial index of those.
      select m.bucket_start, m.min, m.max, m.sum, m.count
      from reading_rollups_1m_all m
      where m.device_id = (select id from device) and m.metric = ${metric}
        and m.bucket_start >= ${hourFromIso}::timestamptz and m.bucket_start < ${hourToIso}::timestamptz
        and m.rolled_at > ${hourlyCutoff}::text::timestamptz
        and ${sql.unsafe(AFTER_DAY)}
      union all
      -- The other whole minutes: the minute rows (every row of each minute: late arrivals add rows).
      select m.bucket_start, m.min, m.max, m.sum, m.count
      from reading_rollups_1m_all m
      where m.device_id = (select id from device) and m.metric = ${metric}
        and m.bucket_start >= ${firstIso}::timestamptz and m.bucket_start < ${hourFromIso}::timestamptz
      union all
      select m.bucket_start, m.min, m.max, m.sum, m.count
      from reading_rollups_1m_all m
      where m.device_id = (select id from device) and m.metric = ${metric}
        and m.bucket_start >= ${hourToIso}::timestamptz and m.bucket_start < ${lastIso}::timestamptz
      union all
      -- The partial minutes at the edges, from the readings.
      select s.recorded_at, s.value, s.value, s.value, 1
      from sensor_readings_all s
      where s.device_id = (select id from device) and s.metric = ${metric}
        and s.recorded_at >= ${fromIso}::timestamptz and s.recorded_at < ${firstIso}::timestamptz
      union all
      select s.recorded_at, s.value, s.value, s.value, 1
      from sensor_readings_all s
      where s.device_id = (select id from device) and s.metric = ${metric}
        and s.recorded_at >= ${lastIso}::timestamptz and s.recorded_at < ${toIso}::timestamptz
      union all
      -- Not rolled up yet, recent: rollable after the cutoff means received less than a minute
      -- before it, so anything recorded earlier than 3 minutes before it arrived over 2 minutes
      -- late (next branch).
      select s.recorded_at, s.value, s.value, s.value, 1
      from sensor_readings_all s
      where s.device_id = (select id from device) and s.metric = ${metric}
        and s.recorded_at >= greatest(${firstIso}::timestamptz, ${cutoff}::text::timestamptz - interval '3 minutes')
        and s.recorded_at < ${lastIso}::timestamptz
        and ${sql.unsafe(ROLLABLE)} > ${cutoff}::text::timestamptz
      union all
      -- Not rolled up yet, late: from the partial index of late arrivals.
      select s.recorded_at, s.value, s.value, s.value, 1
      from sensor_readings_all s
      where s.device_id = (select id from device) and s.metric = ${metric}
        and s.received_at - s.recorded_at > interval '2 minutes'
        and s.received_at > ${cutoff}::text::timestamptz - interval '1 minute'
        and s.recorded_at >= ${firstIso}::timestamptz
        and s.recorded_at < least(${lastIso}::timestamptz, ${cutoff}::text::timestamptz - interval '3 minutes')
        and ${sql.unsafe(ROLLABLE)} > ${cutoff}::text::timestamptz
    )
    select to_char(b.bucket at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as t,
           b.min, b.avg, b.max, b.count
    from (
      select date_bin(make_interval(secs => ${bucketSeconds}), p.t, timestamptz '1970-01-01 00:00:00+00') as bucket,
             min(p.min)::float8 as min, (sum(p.sum) / sum(p.n))::float8 as avg, max(p.max)::float8 as max,
             sum(p.n)::int as count
      from parts p
      group by 1
    ) b
    order by b.bucket`;
  return rows.map((r) => ({ t: r.t, min: r.min, avg: r.avg, max: r.max, count: r.count }));
}

export interface RollUpResult {
  /** Another run held the watermark: it is doing this work. */
  skipped: boolean;
  /** The watermark before and after, ISO-8601 UTC (null: never rolled up before). */
  previousCutoff: string | null;
  cutoff: string | null;
  /** Readings rolled up, and the rollup rows they made (one per device, metric and minute). */
  readings: number;
  rows: number;
}

export interface RollUpOptions {
  /** The database's clock by default; tests move it. */
  now?: Date;
}

const isMissingPartition = (error: unknown) =>
  (error as { code?: string }).code === "23514" &&
  /no partition of relation "reading_rollups_1m"/.test((error as Error).message ?? "");

/**
 * Rolls up, per device, metric and minute, every reading that became rollable since the last
 * run, and moves the watermark, in one transaction. The new cutoff is a minute before now, and
 * before the start of any writing transaction still open in this database: a reading's
 * received_at is its transaction's start, so one that commits after this run's snapshot cannot
 * have a rollable time at or before the cutoff. (The minute alone covers what pg_stat_activity
 * does not show: another role's sessions, a transaction that has not written yet; ingest
 * flushes take milliseconds. Read-only transactions, however long, hold nothing back.)
 * Each row's rolled_at is the new cutoff (the hourly roll-up's watermark is on it).
 *
 * Concurrent runs take turns on the watermark row (a run that finds it locked skips), so no
 * reading is counted twice. The first run takes every reading already stored in one statement
 * (2.6 million readings take a few seconds; see `pnpm bench`); later runs read what arrived
 * since the previous cutoff (less a minute), over the BRIN index on received_at. A month without
 * its minute partition yet (a backlog of old readings) gets it, and the run is made again.
 */
export async function rollUpClosedMinutes(db: Database, options: RollUpOptions = {}): Promise<RollUpResult> {
  try {
    return await rollUpMinutesOnce(db, options);
  } catch (error) {
    if (!isMissingPartition(error)) throw error;
    await ensureBacklogPartitions(db);
    return rollUpMinutesOnce(db, options);
  }
}

/** The minute partitions every reading not rolled up yet needs. */
async function ensureBacklogPartitions(db: Database): Promise<void> {
  const [span] = await db.$client<{ first: string | null; last: string | null }[]>`
    select to_char(min(s.recorded_at) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as first,
           to_char(max(s.recorded_at) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as last
    from sensor_readings_all s
    where s.received_at > coalesce((select w.cutoff from rollup_watermarks w where w.name = ${ROLLUP_1M}), '-infinity')
                          - interval '1 minute'`;
  if (span?.first && span.last) {
    await ensurePartitions(db, "reading_rollups_1m", new Date(span.first), new Date(span.last));
  }
}

interface WatermarkMark {
  /** The cutoff before this run (`-infinity` on the first). */
  previous: string;
  /** The new cutoff: never behind the previous one. */
  cutoff: string;
  advanced: boolean;
}

/**
 * Locks the watermark row `name` (for update, skip locked) and computes its new cutoff from
 * `next`, an expression over the row `w`. The first run creates the row at -infinity, holding its
 * lock until commit. Undefined when another run holds it: that run does the work.
 */
async function lockWatermark(
  tx: TransactionSql,
  name: string,
  next: () => PendingQuery<Row[]>,
): Promise<WatermarkMark | undefined> {
  const lock = () => tx<WatermarkMark[]>`
    select ${tx.unsafe(ISO_OR_INFINITY("w.cutoff"))} as previous,
           ${tx.unsafe(ISO_OR_INFINITY("c.cutoff"))} as cutoff,
           c.cutoff > w.cutoff as advanced
    from rollup_watermarks w
    cross join lateral (select greatest(w.cutoff, ${next()}) as cutoff) c
    where w.name = ${name}
    for update of w skip locked`;
  const [mark] = await lock();
  if (mark) return mark;
  const created = await tx`
    insert into rollup_watermarks (name, cutoff) values (${name}, '-infinity')
    on conflict (name) do nothing returning name`;
  return created.length > 0 ? (await lock())[0] : undefined;
}

async function rollUpMinutesOnce(db: Database, options: RollUpOptions): Promise<RollUpResult> {
  const sql = db.$client;
  // Timestamps travel as text (`::text::timestamptz`): a plain postgres-js client would turn a
  // timestamptz parameter into a Date (milliseconds, no infinity); one shared with Drizzle would not.
  const now = options.now?.toISOString() ?? null;
  return sql.begin(async (tx) => {
    // Lock the watermark and choose the new cutoff before the insert's snapshot is taken (read
    // committed: each statement gets its own), so what pg_stat_activity showed open is either
    // committed and visible to the insert, or was started after the cutoff.
    const mark = await lockWatermark(
      tx,
      ROLLUP_1M,
      () => tx`least(
          coalesce(${now}::text::timestamptz, now()) - interval '1 minute',
          ${tx.unsafe(oldestOpenTransaction("writers"))} - interval '1 microsecond')`,
    );
    if (!mark) return { skipped: true, previousCutoff: null, cutoff: null, readings: 0, rows: 0 };
    const previous = mark.previous;
    const done = {
      skipped: false,
      previousCutoff: previous === "-infinity" ? null : previous,
      cutoff: mark.cutoff,
    };
    if (!mark.advanced) return { ...done, readings: 0, rows: 0 };
    const [rolled] = await tx<{ rows: number; readings: number }[]>`
      with buckets as (
        select s.device_id, s.metric,
               date_bin('1 minute', s.recorded_at, timestamptz '1970-01-01 00:00:00+00') as bucket_start,
               min(s.value) as min, max(s.value) as max, sum(s.value) as sum, count(*)::int as count
        from sensor_readings_all s
        where s.received_at > ${previous}::text::timestamptz - interval '1 minute'
          and s.received_at <= ${mark.cutoff}::text::timestamptz
          and ${tx.unsafe(ROLLABLE)} > ${previous}::text::timestamptz
          and ${tx.unsafe(ROLLABLE)} <= ${mark.cutoff}::text::timestamptz
        group by 1, 2, 3
      ),
      inserted as (
        insert into reading_rollups_1m (device_id, metric, bucket_start, min, max, sum, count, rolled_at)
        select b.device_id, b.metric, b.bucket_start, b.min, b.max, b.sum, b.count, ${mark.cutoff}::text::timestamptz
        from buckets b
        -- A deleted device's readings wait for the background purge: none is rolled up. Checked on
        -- the buckets, not on each reading: the planner cannot estimate the new minutes' readings
        -- (past its statistics), and joining them to devices row by row was seen to take 33 s.
        where exists (select 1 from devices d where d.id = b.device_id)
        returning count
      )
      select count(*)::int as rows, coalesce(sum(count), 0)::int as readings from inserted`;
    await tx`update rollup_watermarks set cutoff = ${mark.cutoff}::text::timestamptz where name = ${ROLLUP_1M}`;
    return { ...done, readings: rolled?.readings ?? 0, rows: rolled?.rows ?? 0 };
  });
}

export interface RollUpDaysResult {
  /** Another run held the watermark: it is doing this work. */
  skipped: boolean;
  /**
   * The pre-partitioning minute table is still there (its rows are being moved): the hourly tier
   * starts once it is gone, because it finds minute rows through the partitions' indexes.
   */
  waitingForLegacy: boolean;
  /** The hourly watermark before and after, ISO-8601 UTC (null: never rolled up before). */
  previousCutoff: string | null;
  cutoff: string | null;
  /** Readings the new hourly rows hold (the sum of their counts), and the rows. */
  readings: number;
  rows: number;
}

export interface RollUpDaysOptions {
  /** At most this many days past the previous cutoff per run (a backlog is taken run by run). */
  maxDays?: number;
}

/**
 * Rolls up the minute rows that became hour-rollable (top of this file) since the last run into
 * rows per device, metric and hour, written in series order, and moves the hourly watermark, in
 * one transaction. The new cutoff is the minute roll-up's cutoff (every minute row written at or
 * before it is committed: the minute roll-up writes its rows and its cutoff together), or
 * `maxDays` days past the previous cutoff's day when that is earlier. In steady state a run finds
 * the late minute rows written since the last run (few), and once a day the whole day that ended.
 *
 * Concurrent runs take turns on the watermark row (a run that finds it locked skips). Minute rows
 * of devices deleted meanwhile are not rolled up (their purge removes them).
 */
export async function rollUpClosedDays(
  db: Database,
  { maxDays = 7 }: RollUpDaysOptions = {},
): Promise<RollUpDaysResult> {
  const sql = db.$client;
  const none = {
    skipped: false,
    waitingForLegacy: false,
    previousCutoff: null,
    cutoff: null,
    readings: 0,
    rows: 0,
  };
  const [state] = await sql<{ started: boolean; legacy: boolean }[]>`
    select exists (select 1 from rollup_watermarks where name = ${ROLLUP_1H} and isfinite(cutoff)) as started,
           to_regclass(${LEGACY_MINUTE_ROLLUPS.legacy}) is not null as legacy`;
  // (The old table is only ever dropped, never made again: checked once, outside the transaction.)
  if (state?.legacy) return { ...none, waitingForLegacy: true };
  const oldest = state?.started ? null : await oldestMinute(sql);
  return sql.begin(async (tx) => {
    const mark = await lockWatermark(
      tx,
      ROLLUP_1H,
      () => tx`least(
          coalesce((select m.cutoff from rollup_watermarks m where m.name = ${ROLLUP_1M}), '-infinity'),
          -- Whole hours, not days: a day in the session's time zone may last 23 or 25 of them.
          date_bin('1 day', case when isfinite(w.cutoff) then w.cutoff else ${oldest}::text::timestamptz end,
                   timestamptz '1970-01-01 00:00:00+00') + make_interval(hours => 24 * ${maxDays}::int))`,
    );
    if (!mark) return { ...none, skipped: true };
    const previous = mark.previous;
    const done = { ...none, previousCutoff: previous === "-infinity" ? null : previous, cutoff: mark.cutoff };
    if (!mark.advanced) return done;
    // Hour-rollable in (previous, cutoff] is the union of two disjoint sets of minute rows:
    // - those of the days that ended in (previous, cutoff], written by the cutoff: a range of
    //   bucket_start (partition pruning, then the BRIN index);
    // - those of earlier days written in (previous, cutoff]: written after their day ended, so
    //   in the partial index idx_rollup_1m_after_day.
    const [rolled] = await tx<{ rows: number; readings: number }[]>`
      with bounds as (
        select case when isfinite(${previous}::text::timestamptz)
                    then date_bin('1 day', ${previous}::text::timestamptz, timestamptz '1970-01-01 00:00:00+00')
                    else '-infinity' end as from_day,
               date_bin('1 day', ${mark.cutoff}::text::timestamptz, timestamptz '1970-01-01 00:00:00+00') as to_day
      ),
      minutes as (
        select m.device_id, m.metric, m.bucket_start, m.min, m.max, m.sum, m.count
        from reading_rollups_1m m
        where m.bucket_start >= (select from_day from bounds) and m.bucket_start < (select to_day from bounds)
          and m.rolled_at <= ${mark.cutoff}::text::timestamptz
        union all
        select m.device_id, m.metric, m.bucket_start, m.min, m.max, m.sum, m.count
        from reading_rollups_1m m
        where m.rolled_at > ${previous}::text::timestamptz and m.rolled_at <= ${mark.cutoff}::text::timestamptz
          and ${tx.unsafe(AFTER_DAY)}
          and m.bucket_start < (select from_day from bounds)
      ),
      inserted as (
        insert into reading_rollups_1h (device_id, metric, bucket_start, min, max, sum, count, rolled_at)
        select h.device_id, h.metric, h.bucket_start, h.min, h.max, h.sum, h.count, ${mark.cutoff}::text::timestamptz
        from (
          select m.device_id, m.metric,
                 date_bin('1 hour', m.bucket_start, timestamptz '1970-01-01 00:00:00+00') as bucket_start,
                 min(m.min) as min, max(m.max) as max, sum(m.sum) as sum, sum(m.count)::int as count
          from minutes m
          group by 1, 2, 3
        ) h
        -- Deleted devices' rows are left to their purge; checked per hour, as the minute roll-up does.
        where exists (select 1 from devices d where d.id = h.device_id)
        order by 1, 2, 3
        returning count
      )
      select count(*)::int as rows, coalesce(sum(count), 0)::int as readings from inserted`;
    await tx`update rollup_watermarks set cutoff = ${mark.cutoff}::text::timestamptz where name = ${ROLLUP_1H}`;
    return { ...done, readings: rolled?.readings ?? 0, rows: rolled?.rows ?? 0 };
  });
}

/**
 * Where a first hourly run starts: the oldest minute row's time (null: none). Partition by
 * partition, oldest first, so it reads only empty partitions and the first one that is not.
 */
async function oldestMinute(sql: SqlClient): Promise<string | null> {
  const partitions = (await listPartitions(sql, "reading_rollups_1m"))
    .map((p) => parsePartitionName(ROLLUP_1M, "month", p.name))
    .filter((spec) => spec !== null)
    .sort((a, b) => a.from.getTime() - b.from.getTime());
  for (const partition of partitions) {
    const [row] = await sql<{ oldest: string | null }[]>`
      select to_char(min(bucket_start) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as oldest
      from ${sql(partition.name)}`;
    if (row?.oldest) return row.oldest;
  }
  return null;
}
