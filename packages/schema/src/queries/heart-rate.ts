// Heart rate beside a workout: the workout's device readings summarised in PostgreSQL, and the
// demo's stored samples. Raw SQL on the pooled client (`db.$client`): timestamps go as ISO text.
import type { Database } from "../client";
import { ensurePartitions } from "./partitions";

/** A reading stands for the time until the next one, but never for more than this. */
export const HEART_RATE_SAMPLE_CAP_SECONDS = 30;

export interface HeartRateSummary {
  metric: string;
  readings: number;
  avg: number | null;
  max: number | null;
  min: number | null;
  /** Seconds spent at or above each lower bound, per zone (bounds ascending; a bpm below the first counts nowhere). */
  secondsInZone: number[];
}

/**
 * Average, maximum and time in each zone of the workout's device metric over [from, to), in
 * PostgreSQL. Each reading stands for the time until the next one in the window (or the window's
 * end), capped at HEART_RATE_SAMPLE_CAP_SECONDS so gaps count as nothing. `zoneMins` are the
 * zones' lower bounds in bpm, ascending. Owner-scoped through the device.
 */
export async function heartRateSummary(
  db: Database,
  request: { ownerId: string; deviceId: string; metric: string; from: Date; to: Date; zoneMins: number[] },
): Promise<HeartRateSummary> {
  const { ownerId, deviceId, metric, from, to, zoneMins } = request;
  const [row] = await db.$client<
    { readings: number; avg: number | null; max: number | null; min: number | null; zones: number[] | null }[]
  >`
    with samples as (
      select r.value::float8 as bpm,
             least(extract(epoch from coalesce(lead(r.recorded_at) over (order by r.recorded_at), ${to.toISOString()}::timestamptz) - r.recorded_at),
                   ${HEART_RATE_SAMPLE_CAP_SECONDS})::float8 as seconds
      from sensor_readings_all r
      join devices d on d.id = r.device_id and d.owner_id = ${ownerId}
      where r.device_id = ${deviceId} and r.metric = ${metric}
        and r.recorded_at >= ${from.toISOString()}::timestamptz and r.recorded_at < ${to.toISOString()}::timestamptz
    ),
    zoned as (
      select bpm, seconds,
             (select max(z.i) from unnest(${zoneMins}::float8[]) with ordinality as z(lo, i) where samples.bpm >= z.lo) as zone
      from samples
    )
    select count(*)::int as readings, avg(bpm) as avg, max(bpm) as max, min(bpm) as min,
           (select array_agg(coalesce((select sum(seconds) from zoned where zone = g.i), 0)::float8 order by g.i)
            from generate_series(1, ${zoneMins.length}::int) as g(i)) as zones
    from zoned`;
  return {
    metric,
    readings: row?.readings ?? 0,
    avg: row?.avg ?? null,
    max: row?.max ?? null,
    min: row?.min ?? null,
    secondsInZone: row?.zones ?? zoneMins.map(() => 0),
  };
}

/**
 * Stores one metric's samples of a device in one unnest-array insert (a sample already there, same
 * device, metric and time, is kept). received_at is the default, now: the roll-up of closed
 * minutes takes them as late readings. `at` are ISO-8601 instants, one per value.
 */
export async function storeSamples(
  db: Database,
  samples: { deviceId: string; metric: string; at: readonly string[]; values: readonly number[] },
): Promise<number> {
  const { deviceId, metric, at, values } = samples;
  if (at.length !== values.length) throw new RangeError("one instant per value");
  if (at.length === 0) return 0;
  const instants = at.map((t) => new Date(t).getTime());
  if (instants.some(Number.isNaN)) throw new RangeError("every instant must be ISO-8601");
  const [first, last] = instants.reduce(
    ([lo, hi], t) => [Math.min(lo, t), Math.max(hi, t)],
    [Infinity, -Infinity],
  );
  await ensurePartitions(db, "sensor_readings", new Date(first), new Date(last));
  const result = await db.$client`
    insert into sensor_readings (device_id, metric, value, recorded_at)
    select ${deviceId}::uuid, ${metric}, v, t::timestamptz
    from unnest(${[...values]}::float8[], ${[...at]}::text[]) as u(v, t)
    on conflict do nothing`;
  return result.count;
}
