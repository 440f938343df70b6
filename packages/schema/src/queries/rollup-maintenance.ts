// Upkeep of the minute rollups (docs/rollup-tiers.md), run by the alerter's maintenance:
// - month partitions made ahead (standalone table + ATTACH, as for the readings: ./partitions.ts);
// - partitions past MINUTE_RETENTION_DAYS detached and dropped, but only once the hourly tier
//   holds every row in them (a partition whose rows are not all rolled up to hours waits);
// - VACUUM of the minute partitions and the hourly table that took rows since their last one.
//   Charts read both tiers with index-only scans, which skip the table only for pages the
//   visibility map marks all-visible; autovacuum's insert trigger (20% of a table's rows) would
//   leave a closed month's last rows unmarked for good, and a large table's newest ones for days;
// - the pre-partitioning minute table (migration 0011) moved into the partitions in batches,
//   then dropped, so the hourly roll-up can start.
import type { Database, SqlClient } from "../client";
import { expiredPartitions, retentionStart, unitStart } from "../partitions";
import { DEFAULT_MINUTE_RETENTION_DAYS } from "../tiers";
import { finishLegacyMove, LEGACY_MINUTE_ROLLUPS, legacyTableState, moveLegacyBatch } from "./legacy-moves";
import { dropPartitionsBefore, ensurePartitions, listPartitions, vacuumWithInserts } from "./partitions";
import { ROLLUP_1H, ROLLUP_1M } from "./rollups";

const DAY_MS = 86_400_000;

export interface MinuteMaintenanceOptions {
  /** The time retention is judged at (the clock by default; tests move it). */
  now?: Date;
  /** MINUTE_RETENTION_DAYS: minute partitions wholly older than this many days go. */
  retentionDays?: number;
  /** How long partition DDL may wait for its lock before leaving the work to the next run. */
  lockTimeoutMs?: number;
  /** Rows of the pre-partitioning table moved per run, at most. */
  legacyRowsPerRun?: number;
  /** A table that took this many rows since its last VACUUM is vacuumed now, however recent that was. */
  vacuumAfterInserts?: number;
}

export interface MinuteMaintenanceResult {
  /** Partitions made now, and partitions whose DDL is left for the next run (lock not granted in time). */
  created: string[];
  dropped: string[];
  deferred: string[];
  /** Partitions past retention kept because the hourly tier does not hold all their rows yet. */
  awaitingHourly: string[];
  /** Tables vacuumed now. */
  vacuumed: string[];
  /** The pre-partitioning table: rows moved now, and whether it is gone. */
  legacy: { moved: number; done: boolean };
}

/**
 * One maintenance pass over the minute tier. `db` is the pooled endpoint; `direct` the direct
 * one, for what cannot run in a transaction block (DETACH … CONCURRENTLY, VACUUM): without it,
 * partitions are only made and the old table moved.
 */
export async function maintainMinuteRollups(
  db: Database,
  direct: SqlClient | undefined,
  {
    now = new Date(),
    retentionDays = DEFAULT_MINUTE_RETENTION_DAYS,
    lockTimeoutMs = 2_000,
    legacyRowsPerRun = 200_000,
    vacuumAfterInserts = 10_000,
  }: MinuteMaintenanceOptions = {},
): Promise<MinuteMaintenanceResult> {
  const sql = db.$client;
  // Last month (late readings are accepted for RAW_RETENTION_DAYS) to next month.
  const ensured = await ensurePartitions(
    db,
    "reading_rollups_1m",
    new Date(now.getTime() - 31 * DAY_MS),
    new Date(now.getTime() + 31 * DAY_MS),
    { lockTimeoutMs },
  );
  const legacy = await moveLegacyMinuteRollups(db, legacyRowsPerRun, lockTimeoutMs);
  if (!direct) {
    return { ...ensured, dropped: [], awaitingHourly: [], vacuumed: [], legacy };
  }
  const expiry = await droppableBefore(sql, retentionStart(now, retentionDays));
  const dropped = expiry.before
    ? await dropPartitionsBefore(direct, "reading_rollups_1m", expiry.before, { lockTimeoutMs })
    : { dropped: [], deferred: [] };
  const vacuumed = await vacuumWithInserts(sql, direct, {
    parents: [ROLLUP_1M],
    tables: [ROLLUP_1H],
    minInserts: vacuumAfterInserts,
    maxAgeMinutes: 60,
  });
  return {
    created: ensured.created,
    dropped: dropped.dropped,
    deferred: [...ensured.deferred, ...dropped.deferred],
    awaitingHourly: expiry.awaiting,
    vacuumed,
    legacy,
  };
}

// Minute rows `m` written after their UTC day ended: idx_rollup_1m_after_day's predicate.
const AFTER_DAY = `m.rolled_at - date_bin('1 day', m.bucket_start, timestamptz '1970-01-01 00:00:00+00') > interval '1 day'`;

/**
 * The bound before which minute partitions may go: past `keepFrom`, and wholly held by the
 * hourly tier, i.e. ending by the end of the last day it has closed, with no row written after
 * its cutoff (such a row was written after its day ended: the partial index finds it).
 */
async function droppableBefore(
  sql: SqlClient,
  keepFrom: Date,
): Promise<{ before: Date | null; awaiting: string[] }> {
  const expired = expiredPartitions(
    ROLLUP_1M,
    "month",
    (await listPartitions(sql, "reading_rollups_1m")).map((p) => p.name),
    keepFrom,
  );
  if (expired.length === 0) return { before: null, awaiting: [] };
  const [mark] = await sql<{ cutoff: string }[]>`
    select to_char(cutoff at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as cutoff
    from rollup_watermarks where name = ${ROLLUP_1H} and isfinite(cutoff)`;
  let before: Date | null = null;
  for (const [i, partition] of expired.entries()) {
    const held =
      mark !== undefined &&
      partition.to.getTime() <= unitStart("day", new Date(mark.cutoff)).getTime() &&
      !(await hasRowsAfter(sql, partition.name, mark.cutoff));
    if (!held) return { before, awaiting: expired.slice(i).map((p) => p.name) };
    before = partition.to;
  }
  return { before, awaiting: [] };
}

async function hasRowsAfter(sql: SqlClient, partition: string, cutoff: string): Promise<boolean> {
  const [row] = await sql<{ any: boolean }[]>`
    select exists (
      select 1 from ${sql(partition)} m
      where m.rolled_at > ${cutoff}::text::timestamptz and ${sql.unsafe(AFTER_DAY)}
    ) as any`;
  return row?.any ?? false;
}

/**
 * Moves up to `maxRows` rows of the pre-partitioning minute table into the partitions, in
 * batches; once it is empty, finishes the move (the view over the partitions alone, the old table
 * dropped). Nothing when it is gone already.
 */
export async function moveLegacyMinuteRollups(
  db: Database,
  maxRows: number,
  lockTimeoutMs = 5_000,
): Promise<{ moved: number; done: boolean }> {
  let moved = 0;
  if (!(await legacyTableState(db.$client, LEGACY_MINUTE_ROLLUPS)).present) return { moved, done: true };
  while (moved < maxRows) {
    const batch = await moveLegacyBatch(db, LEGACY_MINUTE_ROLLUPS, Math.min(10_000, maxRows - moved));
    if (batch.moved === 0) {
      return { moved, done: await finishLegacyMove(db, LEGACY_MINUTE_ROLLUPS, lockTimeoutMs) };
    }
    moved += batch.moved;
  }
  return { moved, done: false };
}
