// Partition DDL for the time-partitioned tables (names and bounds: ../partitions.ts).
//
// Creating: each partition is made as a standalone table, then ATTACHed, in one short transaction
// under a lock_timeout. ATTACH takes SHARE UPDATE EXCLUSIVE on the parent, which inserts and
// reads do not wait for; if the lock is not granted in time (a long maintenance command holds
// it), the attempt gives up and the next one retries, so ingest is never queued behind it.
// Dropping: DETACH … CONCURRENTLY (never an ACCESS EXCLUSIVE lock on the parent), then DROP of
// the now standalone table; DETACH CONCURRENTLY cannot run inside a transaction block, so it
// takes the direct endpoint.

import type { Database, SqlClient } from "../client";
import {
  closedPartitions,
  type PartitionSpec,
  type PartitionUnit,
  parsePartitionName,
  partitionsCovering,
} from "../partitions";

/** The time-partitioned tables, their partition key and unit. */
export const PARTITIONED_TABLES = {
  sensor_readings: { column: "recorded_at", unit: "day" },
  reading_rollups_1m: { column: "bucket_start", unit: "month" },
} as const satisfies Record<string, { column: string; unit: PartitionUnit }>;

export type PartitionedTable = keyof typeof PARTITIONED_TABLES;

export interface AttachedPartition {
  name: string;
  /** A DETACH … CONCURRENTLY was interrupted: the partition must be finalized before anything else. */
  detachPending: boolean;
}

/** The partitions attached to `table` (ours or not), by name. */
export async function listPartitions(sql: SqlClient, table: PartitionedTable): Promise<AttachedPartition[]> {
  return sql<AttachedPartition[]>`
    select c.relname as name, i.inhdetachpending as "detachPending"
    from pg_inherits i
    join pg_class c on c.oid = i.inhrelid
    where i.inhparent = to_regclass(${table})
    order by c.relname`;
}

export interface EnsureResult {
  /** Partitions made by this call. */
  created: string[];
  /** Partitions that could not be made now (lock not granted in time): the next call retries. */
  deferred: string[];
}

export interface EnsureOptions {
  /** How long an ATTACH may wait for its lock before giving up for now. */
  lockTimeoutMs?: number;
}

const isLockTimeout = (error: unknown) => (error as { code?: string }).code === "55P03";

/**
 * Makes sure `table` has a partition for every day (or month) holding an instant of [from, to].
 * Safe to run from several processes at once: each partition is made under an advisory lock of
 * its name, by whichever gets there first.
 */
export async function ensurePartitions(
  db: Database,
  table: PartitionedTable,
  from: Date,
  to: Date,
  { lockTimeoutMs = 2_000 }: EnsureOptions = {},
): Promise<EnsureResult> {
  const sql = db.$client;
  const { unit } = PARTITIONED_TABLES[table];
  const wanted = partitionsCovering(table, unit, from, to);
  const attached = new Set((await listPartitions(sql, table)).map((p) => p.name));
  const result: EnsureResult = { created: [], deferred: [] };
  for (const spec of wanted) {
    if (attached.has(spec.name)) continue;
    try {
      if (await createPartition(sql, table, spec, lockTimeoutMs)) result.created.push(spec.name);
    } catch (error) {
      if (!isLockTimeout(error)) throw error;
      result.deferred.push(spec.name);
    }
  }
  return result;
}

/** One partition, made and attached in one transaction; false when another process made it first. */
async function createPartition(
  sql: SqlClient,
  table: PartitionedTable,
  spec: PartitionSpec,
  lockTimeoutMs: number,
): Promise<boolean> {
  const { column } = PARTITIONED_TABLES[table];
  const from = spec.from.toISOString();
  const to = spec.to.toISOString();
  return sql.begin(async (tx) => {
    await tx`select set_config('lock_timeout', ${`${lockTimeoutMs}ms`}, true)`;
    await tx`select pg_advisory_xact_lock(hashtext(${spec.name}))`;
    const [existing] = await tx<{ attached: boolean }[]>`
      select exists (select 1 from pg_inherits i where i.inhrelid = c.oid) as attached
      from pg_class c where c.oid = to_regclass(${spec.name})`;
    if (existing?.attached) return false;
    // A table of this name left unattached (by hand, or a DETACH) is not ours to reuse.
    if (existing)
      throw new Error(`${spec.name} exists but is not a partition of ${table}; rename or drop it`);
    // DDL takes no parameters: the text is built from our own names and ISO instants, quoted.
    const [parent, child, bounds] = [
      quoteIdent(table),
      quoteIdent(spec.name),
      quoteIdent(`${spec.name}_bounds`),
    ];
    const range = `from ('${from}') to ('${to}')`;
    // The bounds as a CHECK lets ATTACH skip its validation scan; it is dropped once attached.
    await tx.unsafe(`create table ${child} (like ${parent} including defaults including constraints)`);
    await tx.unsafe(
      `alter table ${child} add constraint ${bounds}
       check (${quoteIdent(column)} >= '${from}' and ${quoteIdent(column)} < '${to}')`,
    );
    await tx.unsafe(`alter table ${parent} attach partition ${child} for values ${range}`);
    await tx.unsafe(`alter table ${child} drop constraint ${bounds}`);
    return true;
  });
}

export interface DropResult {
  /** Partitions detached and dropped. */
  dropped: string[];
  /** Partitions left for the next run (lock not granted in time). */
  deferred: string[];
}

/**
 * Detaches (concurrently) and drops every partition of `table` that ends at or before `before`.
 * `direct` is a direct-endpoint client: DETACH … CONCURRENTLY cannot run in a transaction block.
 * A partition whose earlier DETACH was interrupted is finalized first.
 */
export async function dropPartitionsBefore(
  direct: SqlClient,
  table: PartitionedTable,
  before: Date,
  { lockTimeoutMs = 2_000 }: EnsureOptions = {},
): Promise<DropResult> {
  const { unit } = PARTITIONED_TABLES[table];
  const result: DropResult = { dropped: [], deferred: [] };
  const partitions = await listPartitions(direct, table);
  const expired = partitions
    .map((p) => ({ ...p, spec: parsePartitionName(table, unit, p.name) }))
    .filter((p) => p.spec !== null && p.spec.to.getTime() <= before.getTime())
    .sort((a, b) => a.name.localeCompare(b.name));
  if (expired.length === 0) return result;
  await direct.reserve().then(async (session) => {
    try {
      await session.unsafe(`set lock_timeout = ${Math.max(1, Math.round(lockTimeoutMs))}`);
      for (const partition of expired) {
        const parent = quoteIdent(table);
        const child = quoteIdent(partition.name);
        try {
          await session.unsafe(
            partition.detachPending
              ? `alter table ${parent} detach partition ${child} finalize`
              : `alter table ${parent} detach partition ${child} concurrently`,
          );
          await session.unsafe(`drop table ${child}`);
          result.dropped.push(partition.name);
        } catch (error) {
          if (!isLockTimeout(error)) throw error;
          result.deferred.push(partition.name);
        }
      }
    } finally {
      await session.unsafe("reset lock_timeout").catch(() => {});
      session.release();
    }
  });
  return result;
}

export interface Compaction {
  partition: string;
  indexBytesBefore: number;
  indexBytesAfter: number;
  ms: number;
}

export interface CompactResult {
  compacted: Compaction[];
  /** Partitions left for a later run: another process was on them, or a lock did not come in time. */
  deferred: string[];
}

export interface CompactOptions {
  /** Partitions rebuilt per call at most (each is seconds of I/O for a large day). */
  limit?: number;
  /** How long the rebuild may wait for its locks (and for older transactions) before giving up for now. */
  lockTimeoutMs?: number;
}

/**
 * Rebuilds the indexes of `table`'s closed partitions (../partitions.ts closedPartitions) that
 * were not rebuilt yet, newest first, with REINDEX TABLE CONCURRENTLY on the direct endpoint (it
 * cannot run in a transaction block; inserts and reads go on meanwhile), and records each in
 * partition_compactions. A rebuild that was interrupted leaves an invalid copy of an index
 * (`…_ccnew`): it is dropped before the partition is rebuilt again. Records of partitions that
 * no longer exist are pruned. `db` must not be `direct`'s only connection: it records each
 * rebuild while a direct session is held.
 */
export async function compactClosedPartitions(
  db: Database,
  direct: SqlClient,
  table: PartitionedTable,
  now: Date,
  { limit = 1, lockTimeoutMs = 30_000 }: CompactOptions = {},
): Promise<CompactResult> {
  const sql = db.$client;
  const { unit } = PARTITIONED_TABLES[table];
  await sql`delete from partition_compactions where to_regclass(quote_ident(partition)) is null`;
  const attached = (await listPartitions(sql, table)).filter((p) => !p.detachPending).map((p) => p.name);
  const done = new Set(
    (
      await sql<{ partition: string }[]>`
        select partition from partition_compactions where partition = any(${attached})`
    ).map((r) => r.partition),
  );
  const due = closedPartitions(table, unit, attached, now)
    .filter((p) => !done.has(p.name))
    .slice(0, limit);
  const result: CompactResult = { compacted: [], deferred: [] };
  if (due.length === 0) return result;
  const session = await direct.reserve();
  try {
    await session.unsafe(`set lock_timeout = ${Math.max(1, Math.round(lockTimeoutMs))}`);
    for (const { name } of due) {
      // One process per partition; another alerter on it already is as good as done here.
      const [lock] = await session<{ got: boolean }[]>`
        select pg_try_advisory_lock(hashtext(${`compact:${name}`})) as got`;
      if (!lock?.got) {
        result.deferred.push(name);
        continue;
      }
      try {
        // Done by another process between our look and our lock?
        const [already] = await sql<{ partition: string }[]>`
          select partition from partition_compactions where partition = ${name}`;
        if (already) continue;
        const compaction = await compactPartition(session, name);
        if (!compaction) {
          result.deferred.push(name);
          continue;
        }
        await sql`
          insert into partition_compactions (partition, index_bytes_before, index_bytes_after)
          values (${name}, ${compaction.indexBytesBefore}, ${compaction.indexBytesAfter})
          on conflict (partition) do nothing`;
        result.compacted.push(compaction);
      } finally {
        await session`select pg_advisory_unlock(hashtext(${`compact:${name}`}))`;
      }
    }
  } finally {
    await session.unsafe("reset lock_timeout").catch(() => {});
    session.release();
  }
  return result;
}

/** One partition's indexes rebuilt; undefined when a lock did not come in time (left invalid copies are dropped next time). */
async function compactPartition(session: SqlClient, name: string): Promise<Compaction | undefined> {
  const leftovers = await session<{ index: string }[]>`
    select c.relname as index from pg_index i join pg_class c on c.oid = i.indexrelid
    where i.indrelid = to_regclass(${quoteIdent(name)}) and not i.indisvalid`;
  for (const { index } of leftovers) await session.unsafe(`drop index concurrently ${quoteIdent(index)}`);
  const indexBytes = async () => {
    const [row] = await session<{ bytes: string }[]>`
      select pg_indexes_size(to_regclass(${quoteIdent(name)}))::text as bytes`;
    return Number(row?.bytes ?? 0);
  };
  const indexBytesBefore = await indexBytes();
  const started = performance.now();
  try {
    await session.unsafe(`reindex table concurrently ${quoteIdent(name)}`);
  } catch (error) {
    if (isLockTimeout(error)) return undefined;
    throw error;
  }
  const ms = Math.round(performance.now() - started);
  return { partition: name, indexBytesBefore, indexBytesAfter: await indexBytes(), ms };
}

/**
 * VACUUM (over `direct`: it cannot run in a transaction) of the partitions of `parents`, and of
 * `tables`, that took rows since their last one: `minInserts` of them, or (with `maxAgeMinutes`)
 * any number once the last VACUUM is that many minutes old. Readers of these tables scan their indexes alone (index-only) only over
 * pages the visibility map marks all-visible, and autovacuum's insert trigger (20% of a table's
 * rows) leaves a large table's newest rows unmarked for hours. SKIP_LOCKED: a table another VACUUM
 * or DDL holds is left for the next call. The names vacuumed, in order.
 */
export async function vacuumWithInserts(
  sql: SqlClient,
  direct: SqlClient,
  options: { parents: string[]; tables?: string[]; minInserts: number; maxAgeMinutes?: number },
): Promise<string[]> {
  const due = await sql<{ name: string }[]>`
    select c.relname as name
    from pg_class c
    join pg_stat_user_tables s on s.relid = c.oid
    where (c.oid in (select i.inhrelid from pg_inherits i
                     where i.inhparent = any(select to_regclass(p) from unnest(${options.parents}::text[]) p))
           or c.oid = any(select to_regclass(t) from unnest(${options.tables ?? []}::text[]) t))
      and s.n_ins_since_vacuum > 0
      and (s.n_ins_since_vacuum >= ${options.minInserts}
           or coalesce(greatest(s.last_vacuum, s.last_autovacuum), '-infinity')
              < now() - make_interval(mins => ${options.maxAgeMinutes ?? null}::int))
    order by c.relname`;
  for (const { name } of due) await direct.unsafe(`vacuum (skip_locked) ${quoteIdent(name)}`);
  return due.map((d) => d.name);
}

/** A SQL identifier, quoted (names here are ours, but DDL text is built, so quote anyway). */
function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** How far a roll-up has got (its watermark's cutoff), or null when it never ran. */
export async function rolledUpTo(db: Database, rollup: string): Promise<Date | null> {
  const [row] = await db.$client<{ cutoff: string | null }[]>`
    select case when isfinite(cutoff)
                then to_char(cutoff at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') end as cutoff
    from rollup_watermarks where name = ${rollup}`;
  return row?.cutoff ? new Date(row.cutoff) : null;
}
