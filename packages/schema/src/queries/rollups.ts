// Rollups of a device's readings for charts: min/avg/max/count per time bucket, computed in
// PostgreSQL with date_bin over the (device_id, metric, recorded_at) index — never by loading
// raw rows into Node. Owner-scoped in the query itself: another owner's device yields nothing.
import type { SqlClient } from "../client";

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

/**
 * Buckets with readings in [from, to), aligned to the Unix epoch in UTC (so they do not move
 * with the server's time zone or daylight saving); buckets without readings are omitted.
 */
export async function rollupReadings(sql: SqlClient, request: RollupRequest): Promise<RollupPoint[]> {
  const { ownerId, deviceId, metric, from, to, bucketSeconds } = request;
  const rows = await sql<{ t: string; min: number; avg: number; max: number; count: number }[]>`
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
  return rows.map((r) => ({ t: r.t, min: r.min, avg: r.avg, max: r.max, count: r.count }));
}
