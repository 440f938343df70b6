// Moving a pre-partitioning table's rows into its partitioned successor, batch by batch. Two tables
// are moved this way: the readings (migration 0009 leaves them in sensor_readings_legacy; moved by
// `pnpm db:move-readings`) and the minute roll-ups (migration 0011 leaves reading_rollups_1m_legacy;
// moved by the alerter's maintenance). Each batch is deleted from the old table and inserted into
// the new one in one transaction, so a crash or Ctrl-C loses nothing and the next run goes on where
// it stopped; reads go through a view over both (every snapshot sees each row once). When the old
// table is empty, the view is redefined over the partitioned table alone and the old table dropped.
import type { Database, SqlClient } from "../client";
import { ensurePartitions, type PartitionedTable } from "./partitions";

export interface LegacyTable {
  /** The table left by the migration. */
  legacy: string;
  /** Its partitioned successor. */
  target: PartitionedTable;
  /** The view reads go through while both exist. */
  view: string;
  /** The partition key. */
  timeColumn: string;
  /** The columns moved (all of them), in the view's order: SQL text, constants of this file. */
  columns: string;
  /** The successor's unique key, when it has one (SQL text): a row already there is kept once. */
  conflictKey?: string;
}

export const LEGACY_READINGS: LegacyTable = {
  legacy: "sensor_readings_legacy",
  target: "sensor_readings",
  view: "sensor_readings_all",
  timeColumn: "recorded_at",
  columns: "device_id, metric, value, recorded_at, received_at",
  conflictKey: "device_id, metric, recorded_at",
};

/** Minute roll-ups are append-only (a late reading adds a row to its minute): no unique key. */
export const LEGACY_MINUTE_ROLLUPS: LegacyTable = {
  legacy: "reading_rollups_1m_legacy",
  target: "reading_rollups_1m",
  view: "reading_rollups_1m_all",
  timeColumn: "bucket_start",
  columns: "device_id, metric, bucket_start, min, max, sum, count, rolled_at",
};

export interface LegacyState {
  /** The old table is still there. */
  present: boolean;
  /** The planner's estimate of its rows (exact counting would read it all). */
  estimatedRows: number;
}

export async function legacyTableState(sql: SqlClient, table: LegacyTable): Promise<LegacyState> {
  const [row] = await sql<{ present: boolean; estimated: number }[]>`
    select to_regclass(${table.legacy}) is not null as present,
           coalesce((select greatest(c.reltuples, 0)::float8 from pg_class c where c.oid = to_regclass(${table.legacy})), 0) as estimated`;
  return { present: row?.present ?? false, estimatedRows: Math.round(row?.estimated ?? 0) };
}

export interface MoveBatch {
  /** Rows taken out of the old table. */
  moved: number;
  /**
   * Of those, rows the partitioned table had already (same unique key): kept once. Rows of devices
   * deleted meanwhile are dropped, not moved (their purge may have passed the partitions), and
   * counted in neither.
   */
  duplicates: number;
}

/**
 * Moves up to `limit` rows of the old table, in its physical order, in one transaction. The
 * partitions their times fall in are made first (DDL outside the transaction).
 */
export async function moveLegacyBatch(db: Database, table: LegacyTable, limit: number): Promise<MoveBatch> {
  const sql = db.$client;
  const time = sql(table.timeColumn);
  const [batch] = await sql<{ ctid: string | null; first: string | null; last: string | null }[]>`
    select array_agg(ctid)::text as ctid,
           to_char(min(${time}) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as first,
           to_char(max(${time}) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as last
    from (select ctid, ${time} from ${sql(table.legacy)} limit ${limit}) b`;
  if (!batch?.ctid || !batch.first || !batch.last) return { moved: 0, duplicates: 0 };
  await ensurePartitions(db, table.target, new Date(batch.first), new Date(batch.last));
  // (Column lists as text: postgres-js picks a list helper's rendering from the nearest keyword
  // before it, which in this statement is sometimes `insert`.)
  const columns = sql.unsafe(table.columns);
  const onConflict = table.conflictKey ? sql.unsafe(`on conflict (${table.conflictKey}) do nothing`) : sql``;
  const [row] = await sql<{ moved: number; inserted: number; orphans: number }[]>`
    with moved as (
      delete from ${sql(table.legacy)} where ctid = any(${batch.ctid}::tid[])
      returning ${columns}
    ), inserted as (
      insert into ${sql(table.target)} (${columns})
      select ${columns} from moved m
      where exists (select 1 from devices d where d.id = m.device_id)
      ${onConflict}
      returning 1
    )
    select (select count(*) from moved)::int as moved, (select count(*) from inserted)::int as inserted,
           (select count(*) from moved m where not exists (select 1 from devices d where d.id = m.device_id))::int as orphans`;
  const moved = row?.moved ?? 0;
  return { moved, duplicates: moved - (row?.inserted ?? 0) - (row?.orphans ?? 0) };
}

/**
 * When the old table is empty: the view over the partitioned table alone, and the old table
 * dropped, in one transaction (waiting at most `lockTimeoutMs` for the old table's readers).
 * False while rows remain or the lock was not granted in time.
 */
export async function finishLegacyMove(
  db: Database,
  table: LegacyTable,
  lockTimeoutMs = 5_000,
): Promise<boolean> {
  try {
    return await db.$client.begin(async (tx) => {
      await tx`select set_config('lock_timeout', ${`${lockTimeoutMs}ms`}, true)`;
      await tx`lock table ${tx(table.legacy)} in access exclusive mode`;
      const [left] = await tx<{ any: boolean }[]>`select exists (select 1 from ${tx(table.legacy)}) as any`;
      if (left?.any) return false;
      await tx`create or replace view ${tx(table.view)} as
        select ${tx.unsafe(table.columns)} from ${tx(table.target)}`;
      await tx`drop table ${tx(table.legacy)}`;
      return true;
    });
  } catch (error) {
    if ((error as { code?: string }).code === "55P03") return false;
    throw error;
  }
}
