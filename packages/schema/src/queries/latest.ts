// The metrics a device reports and the latest value of each, for the overview and the device
// page. Distinct metrics come from a loose index scan over (device_id, metric, recorded_at): one
// index probe per metric instead of reading a device's millions of readings. Owner-scoped in SQL.
import type { Database } from "../client";

export interface LatestValue {
  deviceId: string;
  metric: string;
  value: number;
  /** ISO-8601 UTC. */
  recordedAt: string;
}

/** Latest value per metric of every device the owner has (or of one device when given). */
export async function latestValues(db: Database, ownerId: string, deviceId?: string): Promise<LatestValue[]> {
  const sql = db.$client;
  const rows = await sql<{ device_id: string; metric: string; value: number; recorded_at: string }[]>`
    with recursive owned as (
      select id from devices
      where owner_id = ${ownerId} ${deviceId ? sql`and id = ${deviceId}` : sql``}
    ),
    pairs(device_id, metric) as (
      select o.id, (select r.metric from sensor_readings_all r where r.device_id = o.id order by r.metric limit 1)
      from owned o
      union all
      select p.device_id,
             (select r.metric from sensor_readings_all r
              where r.device_id = p.device_id and r.metric > p.metric order by r.metric limit 1)
      from pairs p
      where p.metric is not null
    )
    select p.device_id, p.metric, l.value, to_char(l.recorded_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as recorded_at
    from pairs p
    cross join lateral (
      select r.value::float8 as value, r.recorded_at from sensor_readings_all r
      where r.device_id = p.device_id and r.metric = p.metric
      order by r.recorded_at desc limit 1
    ) l
    where p.metric is not null
    order by p.device_id, p.metric`;
  return rows.map((r) => ({
    deviceId: r.device_id,
    metric: r.metric,
    value: r.value,
    recordedAt: r.recorded_at,
  }));
}
