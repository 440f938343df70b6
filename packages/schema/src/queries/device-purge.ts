// The background purge of deleted devices' rows (docs/architecture.md, "Deleting a device or a user").
//
// Readings and roll-ups have no foreign key to devices (a partition's DDL would lock `devices`,
// and every inserted row would pay a lookup), so deleting a device cascades only through its
// small tables (rules, alerts, rejections, message ids) and answers at once; the trigger
// `devices_queue_purge` (migration 0010) queues the device in `device_purges` in the deleting
// transaction, however the device went (the web, a user's deletion, hand SQL). From then on no
// read shows its rows (every read of readings and roll-ups reaches them through the owner's
// devices), and the ingest stores none for it (queries/readings.ts). This file deletes them in the
// background, a bounded batch per short transaction, partition by partition (newest first), and
// removes the queue row once nothing is left. The queue is the only state: a purge interrupted
// anywhere resumes from it, and concurrent purges share the work (each batch locks the device's
// queue row, skipping a device another purge is on).
import type postgres from "postgres";
import type { Database, SqlClient } from "../client";
import { oldestOpenTransaction } from "./open-transactions";

/**
 * Tables with rows per device and no foreign key to devices, which a deleted device leaves
 * behind: purged in this order (readings before the roll-ups made from them). A partitioned
 * table is purged partition by partition, newest first (partition names sort by time); a table
 * that does not exist is skipped (the legacy readings, once moved). Each needs a `device_id`
 * column and an index that leads with it. A table that keeps its foreign key with `on delete
 * cascade` may stay listed: the purge then finds nothing in it.
 */
export const PURGED_TABLES = [
  "sensor_readings",
  "sensor_readings_legacy",
  "reading_rollups_1m",
  "reading_rollups_1m_legacy",
  "reading_rollups_1h",
] as const;

/**
 * How long after a device's deletion its purge may finish (its queue row go). A statement that
 * took its snapshot before the deletion committed may still write a row of the device (an ingest
 * flush, a roll-up): the purge finishes only once every transaction open in this database
 * started at least this long after the deletion, and this long has passed, so such a row is
 * committed and visible to the final check (which then purges it too). The same minute
 * rollUpClosedMinutes allows for what pg_stat_activity cannot show.
 */
export const PURGE_GRACE_SECONDS = 60;

export interface PurgeOptions {
  /** Rows deleted at most by this call, all devices together. */
  maxRows?: number;
  /** Rows per delete statement, each in its own short transaction. */
  batchRows?: number;
  /** Queued devices looked at per call, the earliest deleted first. */
  maxDevices?: number;
  /** How long a batch may wait for a lock; past it the device fails for this call. */
  lockTimeoutMs?: number;
  /** See PURGE_GRACE_SECONDS (tests use 0). */
  graceSeconds?: number;
}

export const PURGE_DEFAULTS = {
  maxRows: 100_000,
  batchRows: 5_000,
  maxDevices: 100,
  lockTimeoutMs: 2_000,
  graceSeconds: PURGE_GRACE_SECONDS,
} as const satisfies Required<PurgeOptions>;

export interface PurgeFailure {
  deviceId: string;
  error: unknown;
}

export interface PurgeResult {
  /** Rows deleted by this call. */
  rows: number;
  /** Devices whose rows are all gone: their queue rows were removed. */
  finished: string[];
  /** Devices whose purge failed in this call (the others went on); they stay queued. */
  failed: PurgeFailure[];
  /** Devices still queued after this call. */
  queued: number;
}

const UNDEFINED_TABLE = "42P01";
const sqlState = (error: unknown) => (error as { code?: string } | null)?.code;

/**
 * Purges queued devices' rows, at most `maxRows` in this call, in batches of `batchRows` (each
 * its own transaction), device by device in deletion order, table by table in PURGED_TABLES
 * order, partition by partition newest first. A device whose rows are all gone (and whose grace
 * has passed) leaves the queue. A device's failure (a lock not granted in time, anything else) is
 * returned in `failed` and the next device goes on; the failed one is tried again next call.
 */
export async function purgeDeletedDevices(db: Database, options: PurgeOptions = {}): Promise<PurgeResult> {
  const { maxRows, batchRows, maxDevices, lockTimeoutMs, graceSeconds } = { ...PURGE_DEFAULTS, ...options };
  const sql = db.$client;
  const result: PurgeResult = { rows: 0, finished: [], failed: [], queued: 0 };
  const queue = await sql<{ deviceId: string }[]>`
    select device_id as "deviceId" from device_purges order by deleted_at, device_id limit ${maxDevices}`;
  if (queue.length > 0) {
    // Listed once per call: partitions come (ahead of time) and go (retention) meanwhile; one
    // dropped since is skipped.
    const leaves = await purgedLeaves(sql);
    const work: PurgeWork = { rowsLeft: maxRows, rows: 0, batchRows, lockTimeoutMs, graceSeconds };
    for (const { deviceId } of queue) {
      if (work.rowsLeft <= 0) break;
      try {
        if (await purgeDevice(sql, deviceId, leaves, work)) result.finished.push(deviceId);
      } catch (error) {
        result.failed.push({ deviceId, error });
      }
    }
    result.rows = work.rows;
  }
  const [count] = await sql<{ n: number }[]>`select count(*)::int as n from device_purges`;
  result.queued = count?.n ?? 0;
  return result;
}

/** The leaf tables the purge deletes from, in purge order, as quoted (regclass) names. */
export async function purgedLeaves(sql: SqlClient | postgres.TransactionSql): Promise<string[]> {
  // A partitioned table's leaves (pg_partition_tree also lists it and any sub-partitioned
  // parents, not leaves), a plain table itself, nothing for a table that does not exist.
  const rows = await sql<{ leaf: string }[]>`
    select l.oid::regclass::text as leaf
    from unnest(${[...PURGED_TABLES]}::text[]) with ordinality as t(name, i)
    join pg_class c on c.oid = to_regclass(t.name)
    cross join lateral (
      select p.relid as oid from pg_partition_tree(c.oid) p where c.relkind = 'p' and p.isleaf
      union all
      select c.oid where c.relkind = 'r'
    ) l
    join pg_class lc on lc.oid = l.oid
    order by t.i, lc.relname desc`;
  return rows.map((r) => r.leaf);
}

interface PurgeWork {
  /** What this call may still delete. */
  rowsLeft: number;
  /** What it has deleted (counted batch by batch, so a device that fails midway counts too). */
  rows: number;
  batchRows: number;
  lockTimeoutMs: number;
  graceSeconds: number;
}

/**
 * One device: its rows leaf by leaf while the call's budget lasts, then the finishing check.
 * True when the device is finished (its queue row removed).
 */
async function purgeDevice(
  sql: SqlClient,
  deviceId: string,
  leaves: readonly string[],
  work: PurgeWork,
): Promise<boolean> {
  // One statement finds the leaves holding rows of the device (one index probe each), so a device
  // waiting only for its grace costs that and the finishing check, not a batch per leaf.
  for (const leaf of await leavesWithRows(sql, deviceId, leaves)) {
    for (;;) {
      const want = Math.min(work.batchRows, work.rowsLeft);
      if (want <= 0) return false;
      let deleted: number | null;
      try {
        deleted = await deleteBatch(sql, leaf, deviceId, want, work.lockTimeoutMs);
      } catch (error) {
        if (sqlState(error) === UNDEFINED_TABLE) break; // dropped meanwhile (retention): its rows went with it
        throw error;
      }
      // Another purge holds the device's queue row (it is on this device), or finished it.
      if (deleted === null) return false;
      work.rows += deleted;
      work.rowsLeft -= deleted;
      if (deleted < want) break; // nothing more of the device in this leaf
    }
  }
  return finishDevice(sql, deviceId, work.graceSeconds);
}

/** Which of `leaves` hold a row of the device, in the same order; a leaf dropped meanwhile is skipped. */
async function leavesWithRows(
  sql: SqlClient,
  deviceId: string,
  leaves: readonly string[],
): Promise<string[]> {
  if (leaves.length === 0) return [];
  try {
    const [row] = await sql.unsafe<{ has: boolean[] }[]>(
      `select array[${leaves.map((leaf) => `exists (select 1 from ${leaf} where device_id = $1::uuid)`).join(", ")}] as has`,
      [deviceId],
    );
    return leaves.filter((_, i) => row?.has[i]);
  } catch (error) {
    if (sqlState(error) !== UNDEFINED_TABLE) throw error;
    return leavesWithRows(sql, deviceId, await purgedLeaves(sql));
  }
}

/**
 * Deletes up to `limit` of the device's rows from one leaf, by their ctids (found over the
 * leaf's device_id index; the delete itself is a TID scan), in one transaction holding the
 * device's queue row; null when another transaction holds that row or it is gone.
 */
async function deleteBatch(
  sql: SqlClient,
  leaf: string,
  deviceId: string,
  limit: number,
  lockTimeoutMs: number,
): Promise<number | null> {
  return sql.begin(async (tx) => {
    const [claim] = await tx`
      select set_config('lock_timeout', ${`${Math.max(1, Math.round(lockTimeoutMs))}ms`}, true)
      from device_purges where device_id = ${deviceId} for update skip locked`;
    if (!claim) return null;
    // `leaf` is a regclass's own text: quoted by PostgreSQL.
    const deleted = await tx.unsafe(
      `delete from ${leaf} where ctid = any(array(
         select ctid from ${leaf} where device_id = $1::uuid limit $2::int))`,
      [deviceId, limit],
    );
    return deleted.count;
  });
}

/**
 * Removes the device's queue row if its grace has passed and no leaf (listed afresh) holds a row
 * of it; the grace is judged first, so the check that follows sees every row a late writer
 * committed.
 */
async function finishDevice(sql: SqlClient, deviceId: string, graceSeconds: number): Promise<boolean> {
  try {
    return await sql.begin(async (tx) => {
      const [due] = await tx`
        select 1 from device_purges q
        where q.device_id = ${deviceId}
          and q.deleted_at + make_interval(secs => ${graceSeconds})
              < least(now(), ${tx.unsafe(oldestOpenTransaction("snapshots"))})
        for update skip locked`;
      if (!due) return false;
      const leaves = await purgedLeaves(tx);
      if (leaves.length > 0) {
        const [left] = await tx.unsafe<{ any: boolean }[]>(
          `select ${leaves.map((leaf) => `exists (select 1 from ${leaf} where device_id = $1::uuid)`).join(" or ")} as any`,
          [deviceId],
        );
        if (left?.any) return false;
      }
      await tx`delete from device_purges where device_id = ${deviceId}`;
      return true;
    });
  } catch (error) {
    if (sqlState(error) === UNDEFINED_TABLE) return false; // a leaf dropped meanwhile: next call
    throw error;
  }
}
