// Moving a pre-partitioning database's readings (sensor_readings_legacy, left by migration 0009)
// into the day partitions, batch by batch: `pnpm db:move-readings`. Each batch is deleted from the
// old table and inserted into the new one in one transaction, so a crash or Ctrl-C loses nothing
// and the next run goes on where it stopped; reads go through sensor_readings_all, which shows
// both tables meanwhile. When the old table is empty, the view is redefined over the partitioned
// table alone and the old table dropped.
import type { Database, SqlClient } from "../client";
import { ensurePartitions } from "./partitions";

export const LEGACY_READINGS = "sensor_readings_legacy";

export interface LegacyState {
  /** The old table is still there. */
  present: boolean;
  /** The planner's estimate of its rows (exact counting would read it all). */
  estimatedRows: number;
}

export async function legacyReadingsState(sql: SqlClient): Promise<LegacyState> {
  const [row] = await sql<{ present: boolean; estimated: number }[]>`
    select to_regclass(${LEGACY_READINGS}) is not null as present,
           coalesce((select greatest(c.reltuples, 0)::float8 from pg_class c where c.oid = to_regclass(${LEGACY_READINGS})), 0) as estimated`;
  return { present: row?.present ?? false, estimatedRows: Math.round(row?.estimated ?? 0) };
}

export interface MoveBatch {
  /** Rows taken out of the old table. */
  moved: number;
  /**
   * Of those, rows the partitioned table had already (same device, metric and time): kept once.
   * Rows of devices deleted meanwhile are dropped, not moved, and counted in neither.
   */
  duplicates: number;
}

/**
 * Moves up to `limit` rows of the old table, in its physical order, in one transaction. The days
 * they cover get their partitions first (DDL outside the transaction). Rows a concurrent
 * device deletion removed meanwhile are simply not there to move.
 */
export async function moveLegacyBatch(db: Database, limit: number): Promise<MoveBatch> {
  const sql = db.$client;
  const picked = await sql<{ ctid: string; first: string | null; last: string | null }[]>`
    select array_agg(ctid)::text as ctid,
           to_char(min(recorded_at) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as first,
           to_char(max(recorded_at) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as last
    from (select ctid, recorded_at from sensor_readings_legacy limit ${limit}) b`;
  const batch = picked[0];
  if (!batch?.first || !batch.last) return { moved: 0, duplicates: 0 };
  await ensurePartitions(db, "sensor_readings", new Date(batch.first), new Date(batch.last));
  return sql.begin(async (tx) => {
    const [row] = await tx<{ moved: number; inserted: number; orphans: number }[]>`
      with moved as (
        delete from sensor_readings_legacy where ctid = any(${batch.ctid}::tid[])
        returning device_id, metric, value, recorded_at, received_at
      ), inserted as (
        insert into sensor_readings (device_id, metric, value, recorded_at, received_at)
        select m.device_id, m.metric, m.value, m.recorded_at, m.received_at from moved m
        -- A deleted device's rows are not moved: the purge may be done with it already.
        where exists (select 1 from devices d where d.id = m.device_id)
        on conflict (device_id, metric, recorded_at) do nothing
        returning 1
      )
      select (select count(*) from moved)::int as moved, (select count(*) from inserted)::int as inserted,
             (select count(*) from moved m where not exists (select 1 from devices d where d.id = m.device_id))::int as orphans`;
    const moved = row?.moved ?? 0;
    return { moved, duplicates: moved - (row?.inserted ?? 0) - (row?.orphans ?? 0) };
  });
}

/**
 * When the old table is empty: the view over the partitioned table alone, and the old table
 * dropped, in one transaction (waiting at most `lockTimeoutMs` for readers of the old table).
 * Returns false while rows remain.
 */
export async function finishLegacyMove(db: Database, lockTimeoutMs = 5_000): Promise<boolean> {
  return db.$client.begin(async (tx) => {
    await tx`select set_config('lock_timeout', ${`${lockTimeoutMs}ms`}, true)`;
    await tx`lock table sensor_readings_legacy in access exclusive mode`;
    const [left] = await tx<{ any: boolean }[]>`select exists (select 1 from sensor_readings_legacy) as any`;
    if (left?.any) return false;
    await tx`
      create or replace view sensor_readings_all as
        select device_id, metric, value, recorded_at, received_at from sensor_readings`;
    await tx`drop table sensor_readings_legacy`;
    return true;
  });
}
