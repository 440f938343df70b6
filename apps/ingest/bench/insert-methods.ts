// Part 1 and 2 of the ingest benchmark: the same rows into the real sensor_readings table by
// three statements (each `on conflict (device_id, metric, recorded_at) do nothing`, no prepared
// statements, so each works through PgBouncer in transaction mode), then the ceiling: the ingest's
// own statement straight from this script. One connection, batches one after another.
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { fmtInt, progress } from "@pulseboard/devstack/bench";
import { createDb, type Database } from "@pulseboard/schema/client";
import { insertReadings, type ReadingRow } from "@pulseboard/schema/queries/readings";
import postgres from "postgres";
import { checkpointCount, countRows, resetReadings } from "./support";

export const METRICS = ["temperature", "humidity", "pressure", "co2"] as const;

/** `ticks` instants × every device × 4 metrics: unique (device, metric, recorded_at), time-ordered. */
export function buildRows(deviceIds: string[], ticks: number): ReadingRow[] {
  // Recent instants (the last few minutes, whole seconds), as the ingest writes: today's partition.
  const start = Math.floor((Date.now() - (ticks + 60) * 1000) / 1000) * 1000;
  const rows: ReadingRow[] = [];
  let seed = 1;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  for (let tick = 0; tick < ticks; tick++) {
    const recordedAt = new Date(start + tick * 1000);
    for (const deviceId of deviceIds) {
      for (const metric of METRICS) {
        rows.push({ deviceId, metric, value: Math.round(rand() * 10_000) / 10, recordedAt });
      }
    }
  }
  return rows;
}

export function batchesOf<T>(rows: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

export type Inserter = (sql: postgres.Sql, batch: ReadingRow[]) => Promise<unknown>;

/** (i) One multi-row VALUES list: 4 parameters per row (5000 rows = 20,000 of the 65,535 allowed). */
export const insertValues: Inserter = (sql, batch) => {
  const tuples: string[] = [];
  const params: (string | number)[] = [];
  for (const [i, r] of batch.entries()) {
    const p = i * 4;
    tuples.push(`($${p + 1}::uuid,$${p + 2}::text,$${p + 3}::float8,$${p + 4}::timestamptz)`);
    params.push(r.deviceId, r.metric, r.value, r.recordedAt.toISOString());
  }
  return sql.unsafe(
    `insert into sensor_readings (device_id, metric, value, recorded_at) values ${tuples.join(",")}
     on conflict (device_id, metric, recorded_at) do nothing`,
    params,
  );
};

/** The ingest's handle over a bench client (made once per client: Drizzle over it, as the ingest's). */
const handles = new WeakMap<postgres.Sql, Database>();
function dbOf(sql: postgres.Sql): Database {
  let db = handles.get(sql);
  if (!db) {
    db = createDb(sql);
    handles.set(sql, db);
  }
  return db;
}

/** (ii) unnest arrays: the ingest's own statement. */
export const insertUnnest: Inserter = (sql, batch) => insertReadings(dbOf(sql), batch);

/**
 * (iii) COPY into a temporary table dropped at commit, then insert … select … on conflict, all in
 * one transaction (PgBouncer transaction mode keeps the whole transaction on one server connection).
 */
export const insertCopy: Inserter = (sql, batch) =>
  sql.begin(async (tx) => {
    await tx`
      create temporary table bench_copy (device_id uuid, metric text, value float8, recorded_at timestamptz)
      on commit drop`;
    const lines = batch.map((r) => `${r.deviceId}\t${r.metric}\t${r.value}\t${r.recordedAt.toISOString()}\n`);
    const writable = await tx`copy bench_copy (device_id, metric, value, recorded_at) from stdin`.writable();
    await pipeline(Readable.from([lines.join("")]), writable);
    await tx`
      insert into sensor_readings (device_id, metric, value, recorded_at)
      select device_id, metric, value, recorded_at from bench_copy
      on conflict (device_id, metric, recorded_at) do nothing`;
  });

export interface MethodResult {
  method: string;
  rows: number;
  batch: number;
  seconds: number;
  rowsPerSecond: number;
  /** Rows in the table afterwards (should equal `rows`). */
  stored: number;
}

/** Empties the table, inserts every batch one after another, and reports rows/s. */
export async function timeInserts(
  sql: postgres.Sql,
  method: string,
  insert: Inserter,
  batches: ReadingRow[][],
): Promise<MethodResult> {
  await resetReadings(sql);
  const rows = batches.reduce((n, b) => n + b.length, 0);
  const started = performance.now();
  for (const batch of batches) await insert(sql, batch);
  const seconds = (performance.now() - started) / 1000;
  const stored = await countRows(sql);
  const result = {
    method,
    rows,
    batch: batches[0]?.length ?? 0,
    seconds,
    rowsPerSecond: rows / seconds,
    stored,
  };
  progress(
    `  ${method.padEnd(34)} ${fmtInt(result.rowsPerSecond).padStart(8)} rows/s  (${seconds.toFixed(2)} s, ${fmtInt(stored)} rows stored)`,
  );
  return result;
}

/** The same batches over `connections` connections at once (as the writer's flushes in flight). */
export async function timeParallel(
  url: string,
  method: string,
  batches: ReadingRow[][],
  connections: number,
): Promise<MethodResult> {
  const sql = postgres(url, { prepare: false, max: connections, onnotice: () => {} });
  const db = dbOf(sql);
  try {
    await resetReadings(sql);
    const rows = batches.reduce((n, b) => n + b.length, 0);
    const queue = [...batches];
    const started = performance.now();
    await Promise.all(
      Array.from({ length: connections }, async () => {
        for (let b = queue.shift(); b; b = queue.shift()) await insertReadings(db, b);
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const stored = await countRows(sql);
    progress(
      `  ${method.padEnd(34)} ${fmtInt(rows / seconds).padStart(8)} rows/s  (${seconds.toFixed(2)} s, ${fmtInt(stored)} rows stored)`,
    );
    return { method, rows, batch: batches[0]?.length ?? 0, seconds, rowsPerSecond: rows / seconds, stored };
  } finally {
    await sql.end({ timeout: 5 });
  }
}

export interface InsertFigures {
  methods: MethodResult[];
  fastest: string;
  /** The ingest's statement on one connection, for comparison. */
  oneConnection: MethodResult;
  /**
   * The ceiling: the ingest's statement over FLUSH_MAX_IN_FLIGHT connections at once (the
   * writer's flushes in flight), the same batch size, into the full table.
   */
  ceiling: MethodResult & { connections: number; checkpoints: number };
}

/** The ceiling inserts this many times the insert methods' rows. */
const CEILING_WINDOW_FACTOR = 3;

export async function measureInserts(
  url: string,
  deviceIds: string[],
  batchSize: number,
): Promise<InsertFigures> {
  const sql = postgres(url, { prepare: false, max: 1, onnotice: () => {} });
  try {
    const ticks = Number(process.env.BENCH_CEILING_TICKS ?? 150);
    const rows = buildRows(deviceIds, ticks);
    const batches = batchesOf(rows, batchSize);
    progress(
      `1. insert methods: ${fmtInt(rows.length)} rows (${deviceIds.length} devices × ${METRICS.length} metrics × ${ticks} instants) into sensor_readings (already holding the bench data), batches of ${batchSize}, one connection, prepare: false`,
    );
    // Warm-up: the statements' first runs (catalog caches, the connection) are not measured.
    for (const insert of [insertValues, insertUnnest, insertCopy]) await insert(sql, batches[0] ?? []);
    const methods = [
      await timeInserts(sql, "(i)   multi-row VALUES", insertValues, batches),
      await timeInserts(sql, "(ii)  unnest arrays (insertReadings)", insertUnnest, batches),
      await timeInserts(sql, "(iii) COPY → temp table → insert", insertCopy, batches),
    ];
    const fastest = methods.reduce((a, b) => (b.rowsPerSecond > a.rowsPerSecond ? b : a)).method;
    progress(`  fastest: ${fastest.trim()}`);
    progress(
      `2. ceiling: the same rows straight from this script with the ingest's statement (insertReadings)`,
    );
    const oneConnection = await timeInserts(sql, "insertReadings, one connection", insertUnnest, batches);
    const connections = Number(process.env.FLUSH_MAX_IN_FLIGHT ?? 2);
    // The ceiling's window is about as long as the end-to-end one (12 s): three times the rows
    // (three times the instants). A 4 s window moved by a fifth from run to run on the same machine, and the
    // ratio with it; a window as long as the one it is compared with averages the same stalls.
    const ceilingRows = buildRows(deviceIds, ticks * CEILING_WINDOW_FACTOR);
    progress(
      `  ceiling: ${fmtInt(ceilingRows.length)} rows (${ticks * CEILING_WINDOW_FACTOR} instants, a window about as long as the end-to-end one)`,
    );
    const before = await checkpointCount(sql);
    const parallel = await timeParallel(
      url,
      `ceiling: ${connections} connections at once`,
      batchesOf(ceilingRows, batchSize),
      connections,
    );
    const checkpoints = (await checkpointCount(sql)) - before;
    progress(`  checkpoints during the ceiling's window: ${checkpoints} (none forced, none avoided)`);
    await resetReadings(sql);
    return { methods, fastest, oneConnection, ceiling: { ...parallel, connections, checkpoints } };
  } finally {
    await sql.end({ timeout: 5 });
  }
}
