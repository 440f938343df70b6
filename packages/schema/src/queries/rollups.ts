// Rollups of a device's readings for charts: min/avg/max/count per time bucket, computed in
// PostgreSQL — never by loading raw rows into Node. Owner-scoped in the query itself: another
// owner's device yields nothing.
//
// Two sources, combined in one query (read in one snapshot with the watermark):
// - `reading_rollups_1m`: append-only min/max/sum/count per device, metric and minute, written by
//   `rollUpClosedMinutes` (the alerter's sweep runs it every minute). A 30-day chart reads 43,200
//   of these instead of 2.6 million readings.
// - the readings not rolled up yet (the last few minutes, and late arrivals), read raw.
// Which side a reading is on is decided by one watermark, `rollup_watermarks.cutoff`: a reading
// is rolled up exactly when its *rollable time* is at or before the cutoff, where
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
import type { Database, SqlClient } from "../client";

/** Bucket sizes a chart may use, in seconds: round numbers a person reads easily. */
export const BUCKET_STEPS = [
  1, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400,
] as const;

/** A chart carries at most about this many points. */
export const MAX_POINTS = 500;

/**
 * The smallest step that keeps the range within MAX_POINTS buckets. A requested bucket is
 * honoured unless it would exceed MAX_POINTS, in which case the automatic choice wins.
 */
export function chooseBucketSeconds(from: Date, to: Date, requested?: number): number {
  const rangeSeconds = Math.max(1, (to.getTime() - from.getTime()) / 1000);
  const minimum = rangeSeconds / MAX_POINTS;
  if (requested !== undefined && requested >= minimum) return requested;
  return BUCKET_STEPS.find((step) => step >= minimum) ?? Math.ceil(minimum / 86400) * 86400;
}

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

/** The watermark row of the one-minute rollups. */
export const ROLLUP_1M = "reading_rollups_1m";

const MINUTE_MS = 60_000;

// A reading's rollable time, for `sensor_readings s` (see the top of this file). Kept in step
// with the constants below: the 1-minute cap, and idx_reading_late's 2-minute predicate.
const ROLLABLE = `least(greatest(s.received_at,
  date_bin('1 minute', s.recorded_at, timestamptz '1970-01-01 00:00:00+00') + interval '1 minute'),
  s.received_at + interval '1 minute')`;

/** A timestamptz as ISO-8601 UTC with microseconds, or '-infinity'; it goes back as `::text::timestamptz`. */
const ISO_OR_INFINITY = (column: string) =>
  `case when isfinite(${column}) then to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') else '-infinity' end`;

/**
 * Buckets with readings in [from, to), aligned to the Unix epoch in UTC (so they do not move
 * with the server's time zone or daylight saving); buckets without readings are omitted.
 * Whole-minute buckets combine the stored one-minute rollups with the readings not rolled up yet;
 * sub-minute buckets are computed from the readings. Either way the figures equal a direct
 * computation over the readings (avg is the numeric sum over the count, as avg() computes it).
 */
export async function rollupReadings(db: Database, request: RollupRequest): Promise<RollupPoint[]> {
  const { from, to, bucketSeconds } = request;
  // Whole minutes inside [from, to): those come from the rollups; the partial minutes at the
  // edges, [from, first) and [last, to), from the readings.
  const first = Math.ceil(from.getTime() / MINUTE_MS) * MINUTE_MS;
  const last = Math.floor(to.getTime() / MINUTE_MS) * MINUTE_MS;
  const rows =
    bucketSeconds >= 60 && bucketSeconds % 60 === 0 && first < last
      ? await storedWithTail(db.$client, request, new Date(first), new Date(last))
      : await rollupFromReadings(db, request);
  return rows.map((r) => ({ t: r.t, min: r.min, avg: r.avg, max: r.max, count: r.count }));
}

/**
 * The same figures computed at query time from the readings alone, over the (device_id, metric,
 * recorded_at) index: what sub-minute buckets use, and what `pnpm bench` compares with.
 */
export async function rollupFromReadings(db: Database, request: RollupRequest): Promise<RollupPoint[]> {
  const sql = db.$client;
  const { ownerId, deviceId, metric, from, to, bucketSeconds } = request;
  return sql<RollupPoint[]>`
    select to_char(b.bucket at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as t,
           b.min, b.avg, b.max, b.count
    from (
      select date_bin(make_interval(secs => ${bucketSeconds}), r.recorded_at, timestamptz '1970-01-01 00:00:00+00') as bucket,
             min(r.value)::float8 as min, avg(r.value)::float8 as avg, max(r.value)::float8 as max, count(*)::int as count
      from sensor_readings r
      join devices d on d.id = r.device_id and d.owner_id = ${ownerId}
      where r.device_id = ${deviceId} and r.metric = ${metric}
        and r.recorded_at >= ${from.toISOString()}::timestamptz and r.recorded_at < ${to.toISOString()}::timestamptz
      group by 1
    ) b
    order by b.bucket`;
}

/**
 * Stored minutes in [first, last) + the readings of those minutes not rolled up yet + every
 * reading of the partial edge minutes, re-binned to the bucket. The watermark is read first and
 * the chart computed in the same repeatable-read snapshot, so a roll-up committing meanwhile
 * cannot make a reading count twice or not at all; and the planner sees the cutoff as a value
 * (not a subquery it must guess about), which keeps it on the narrow indexes for the raw tail.
 */
async function storedWithTail(
  sql: SqlClient,
  request: RollupRequest,
  first: Date,
  last: Date,
): Promise<RollupPoint[]> {
  const { ownerId, deviceId, metric, from, to, bucketSeconds } = request;
  const fromIso = from.toISOString();
  const toIso = to.toISOString();
  const firstIso = first.toISOString();
  const lastIso = last.toISOString();
  return sql.begin("isolation level repeatable read read only", async (tx) => {
    const [mark] = await tx<{ cutoff: string }[]>`
      select coalesce((select ${tx.unsafe(ISO_OR_INFINITY("w.cutoff"))} from rollup_watermarks w where w.name = ${ROLLUP_1M}),
                      '-infinity') as cutoff`;
    const cutoff = mark?.cutoff ?? "-infinity";
    return tx<RollupPoint[]>`
      with device as (
        select d.id from devices d where d.id = ${deviceId} and d.owner_id = ${ownerId}
      ),
      parts as (
        -- Rolled-up readings of the whole minutes: every row of each minute (late arrivals add rows).
        select r.bucket_start as t, r.min, r.max, r.sum, r.count::bigint as n
        from reading_rollups_1m r
        where r.device_id = (select id from device) and r.metric = ${metric}
          and r.bucket_start >= ${firstIso}::timestamptz and r.bucket_start < ${lastIso}::timestamptz
        union all
        -- The partial minutes at the edges, from the readings.
        select s.recorded_at, s.value, s.value, s.value, 1
        from sensor_readings s
        where s.device_id = (select id from device) and s.metric = ${metric}
          and s.recorded_at >= ${fromIso}::timestamptz and s.recorded_at < ${firstIso}::timestamptz
        union all
        select s.recorded_at, s.value, s.value, s.value, 1
        from sensor_readings s
        where s.device_id = (select id from device) and s.metric = ${metric}
          and s.recorded_at >= ${lastIso}::timestamptz and s.recorded_at < ${toIso}::timestamptz
        union all
        -- Not rolled up yet, recent: rollable after the cutoff means received less than a minute
        -- before it, so anything recorded earlier than 3 minutes before it arrived over 2 minutes
        -- late (next branch).
        select s.recorded_at, s.value, s.value, s.value, 1
        from sensor_readings s
        where s.device_id = (select id from device) and s.metric = ${metric}
          and s.recorded_at >= greatest(${firstIso}::timestamptz, ${cutoff}::text::timestamptz - interval '3 minutes')
          and s.recorded_at < ${lastIso}::timestamptz
          and ${tx.unsafe(ROLLABLE)} > ${cutoff}::text::timestamptz
        union all
        -- Not rolled up yet, late: from the partial index of late arrivals.
        select s.recorded_at, s.value, s.value, s.value, 1
        from sensor_readings s
        where s.device_id = (select id from device) and s.metric = ${metric}
          and s.received_at - s.recorded_at > interval '2 minutes'
          and s.received_at > ${cutoff}::text::timestamptz - interval '1 minute'
          and s.recorded_at >= ${firstIso}::timestamptz
          and s.recorded_at < least(${lastIso}::timestamptz, ${cutoff}::text::timestamptz - interval '3 minutes')
          and ${tx.unsafe(ROLLABLE)} > ${cutoff}::text::timestamptz
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
  });
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

/**
 * Rolls up, per device, metric and minute, every reading that became rollable since the last
 * run, and moves the watermark, in one transaction. The new cutoff is a minute before now, and
 * before the start of any writing transaction still open in this database: a reading's
 * received_at is its transaction's start, so one that commits after this run's snapshot cannot
 * have a rollable time at or before the cutoff. (The minute alone covers what pg_stat_activity
 * does not show: another role's sessions, a transaction that has not written yet; ingest
 * flushes take milliseconds. Read-only transactions, however long, hold nothing back.)
 *
 * Concurrent runs take turns on the watermark row (a run that finds it locked skips), so no
 * reading is counted twice. The first run takes every reading already stored in one statement
 * (2.6 million readings take a few seconds; see `pnpm bench`); later runs read what arrived
 * since the previous cutoff (less a minute), over the BRIN index on received_at.
 */
export async function rollUpClosedMinutes(db: Database, options: RollUpOptions = {}): Promise<RollUpResult> {
  const sql = db.$client;
  // Timestamps travel as text (`::text::timestamptz`): a plain postgres-js client would turn a
  // timestamptz parameter into a Date (milliseconds, no infinity); one shared with Drizzle would not.
  const now = options.now?.toISOString() ?? null;
  return sql.begin(async (tx) => {
    // Lock the watermark and choose the new cutoff before the insert's snapshot is taken (read
    // committed: each statement gets its own), so what pg_stat_activity showed open is either
    // committed and visible to the insert, or was started after the cutoff.
    const lock = () => tx<{ previous: string; cutoff: string; advanced: boolean }[]>`
      select ${tx.unsafe(ISO_OR_INFINITY("w.cutoff"))} as previous,
             ${tx.unsafe(ISO_OR_INFINITY("c.cutoff"))} as cutoff,
             c.cutoff > w.cutoff as advanced
      from rollup_watermarks w
      cross join lateral (
        select greatest(w.cutoff, least(
          coalesce(${now}::text::timestamptz, now()) - interval '1 minute',
          (select min(a.xact_start) - interval '1 microsecond' from pg_stat_activity a
           where a.datname = current_database() and a.backend_type = 'client backend'
             and a.backend_xid is not null and a.pid <> pg_backend_pid())
        )) as cutoff
      ) c
      where w.name = ${ROLLUP_1M}
      for update of w skip locked`;
    let [mark] = await lock();
    if (!mark) {
      // No watermark yet (the first run: everything stored is rollable after -infinity), or
      // another run holds it. Creating it takes its lock until commit.
      const created = await tx`
        insert into rollup_watermarks (name, cutoff) values (${ROLLUP_1M}, '-infinity')
        on conflict (name) do nothing returning name`;
      if (created.length > 0) [mark] = await lock();
    }
    if (!mark) return { skipped: true, previousCutoff: null, cutoff: null, readings: 0, rows: 0 };
    const previous = mark.previous;
    const done = {
      skipped: false,
      previousCutoff: previous === "-infinity" ? null : previous,
      cutoff: mark.cutoff,
    };
    if (!mark.advanced) return { ...done, readings: 0, rows: 0 };
    const [rolled] = await tx<{ rows: number; readings: number }[]>`
      with inserted as (
        insert into reading_rollups_1m (device_id, metric, bucket_start, min, max, sum, count)
        select s.device_id, s.metric,
               date_bin('1 minute', s.recorded_at, timestamptz '1970-01-01 00:00:00+00'),
               min(s.value), max(s.value), sum(s.value), count(*)::int
        from sensor_readings s
        where s.received_at > ${previous}::text::timestamptz - interval '1 minute'
          and s.received_at <= ${mark.cutoff}::text::timestamptz
          -- A deleted device's readings wait for the background purge: none is rolled up.
          and exists (select 1 from devices d where d.id = s.device_id)
          and ${tx.unsafe(ROLLABLE)} > ${previous}::text::timestamptz
          and ${tx.unsafe(ROLLABLE)} <= ${mark.cutoff}::text::timestamptz
        group by 1, 2, 3
        returning count
      )
      select count(*)::int as rows, coalesce(sum(count), 0)::int as readings from inserted`;
    await tx`update rollup_watermarks set cutoff = ${mark.cutoff}::text::timestamptz where name = ${ROLLUP_1M}`;
    return { ...done, readings: rolled?.readings ?? 0, rows: rolled?.rows ?? 0 };
  });
}
