// Sensor readings as the ingest writes them: one statement per flush, whatever its size.
import { numberArrayLiteral, textArrayLiteral } from "../array-literal";
import type { Database } from "../client";

/** One reading to store: the device, the metric, its value and when it was recorded. */
export interface ReadingRow {
  deviceId: string;
  metric: string;
  value: number;
  recordedAt: Date;
}

/**
 * unnest arrays: one statement and four parameters whatever the batch size (no 65535-parameter
 * limit, no statement text growing with the batch), and no prepared statement, so it works
 * through PgBouncer in transaction mode. `pnpm bench` compares it with VALUES lists and COPY.
 * A re-delivered reading hits the once-only key (device, metric, recorded_at) and is skipped.
 * Instants travel as ISO-8601 text (`text[]`, millisecond precision, exactly the Date's instant)
 * and are cast to timestamptz[] in SQL, each parsed as a timestamptz literal as before: a
 * `timestamptz[]` parameter would go through Drizzle's pass-through serializer on this client and
 * fail. The arrays travel as literals built here (array-literal.ts), not as JavaScript arrays for
 * the driver to escape element by element.
 * Rows of a device that does not exist (deleted since its key was checked, or a cached key's) are
 * dropped: readings have no foreign key to devices (queries/device-purge.ts), so this check is
 * what keeps a deleted device's readings from coming back. (A flush whose snapshot predates the
 * deletion's commit may still store some: the purge's grace waits for it and takes them too.)
 * Returns the rows inserted.
 */
export async function insertReadings(db: Database, rows: readonly ReadingRow[]): Promise<number> {
  const sql = db.$client;
  const deviceIds = new Array<string>(rows.length);
  const metrics = new Array<string>(rows.length);
  const values = new Array<number>(rows.length);
  const times = new Array<string>(rows.length);
  // A message's readings usually share one Date (its `ts`, or its receive time): printed once.
  let lastDate: Date | undefined;
  let lastIso = "";
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i] as ReadingRow;
    deviceIds[i] = row.deviceId;
    metrics[i] = row.metric;
    values[i] = row.value;
    if (row.recordedAt !== lastDate) {
      lastDate = row.recordedAt;
      lastIso = lastDate.toISOString();
    }
    times[i] = lastIso;
  }
  const result = await sql`
    insert into sensor_readings (device_id, metric, value, recorded_at)
    select r.device_id, r.metric, r.value, r.recorded_at
    from unnest(${textArrayLiteral(deviceIds)}::uuid[], ${textArrayLiteral(metrics)}::text[],
                ${numberArrayLiteral(values)}::float8[], ${textArrayLiteral(times)}::text[]::timestamptz[])
      as r(device_id, metric, value, recorded_at)
    where exists (select 1 from devices d where d.id = r.device_id)
    on conflict (device_id, metric, recorded_at) do nothing`;
  return result.count;
}

/** One message's readings, with its message id when it has one. */
export interface MessageRows {
  rows: readonly ReadingRow[];
  mid?: string | undefined;
}

/**
 * Stores messages, some carrying a message id, in one statement: each (device, mid) is claimed in
 * device_message_ids by the same statement that inserts the readings, so the claim commits only
 * with them, a message whose id is on record (younger than `ttlSeconds`) stores nothing, and
 * concurrent workers agree (the second waits on the first's claim, then sees it). Messages without
 * an id are stored as insertReadings stores them; as there, a device that does not exist stores
 * nothing (its ids are not claimed either). (device, mid) pairs must be distinct within one call.
 * Returns the readings inserted and the messages skipped as already stored. A device deleted
 * between this statement's snapshot and its claim fails it with a foreign-key violation
 * (device_message_ids keeps its cascade): run again, it skips that device.
 */
export async function insertMessagesOnce(
  db: Database,
  messages: readonly MessageRows[],
  ttlSeconds: number,
): Promise<{ inserted: number; duplicates: number }> {
  const sql = db.$client;
  const claims = messages.flatMap((m) =>
    m.mid !== undefined && m.rows[0] ? [{ deviceId: m.rows[0].deviceId, mid: m.mid }] : [],
  );
  const rows = messages.flatMap((m) => m.rows.map((r) => ({ ...r, mid: m.mid ?? null })));
  const liveDevice = sql`exists (select 1 from devices d where d.id = r.device_id)`;
  const [result] = await sql<{ inserted: number; claimed: number }[]>`
    with claimed as (
      insert into device_message_ids as m (device_id, mid, stored_at)
      select r.device_id, r.mid, now()
      from unnest(${claims.map((c) => c.deviceId)}::uuid[], ${claims.map((c) => c.mid)}::text[]) as r(device_id, mid)
      where ${liveDevice}
      on conflict (device_id, mid) do update set stored_at = excluded.stored_at
        where m.stored_at < now() - make_interval(secs => ${ttlSeconds})
      returning device_id, mid
    ), inserted as (
      insert into sensor_readings (device_id, metric, value, recorded_at)
      select r.device_id, r.metric, r.value, r.recorded_at
      from unnest(${rows.map((r) => r.deviceId)}::uuid[], ${rows.map((r) => r.metric)}::text[],
                  ${rows.map((r) => r.value)}::float8[], ${rows.map((r) => r.recordedAt.toISOString())}::text[]::timestamptz[],
                  ${rows.map((r) => r.mid)}::text[])
        as r(device_id, metric, value, recorded_at, mid)
      where case when r.mid is null then ${liveDevice}
                 else exists (select 1 from claimed c where c.device_id = r.device_id and c.mid = r.mid) end
      on conflict (device_id, metric, recorded_at) do nothing
      returning 1
    )
    select (select count(*) from inserted)::int as inserted, (select count(*) from claimed)::int as claimed`;
  return { inserted: result?.inserted ?? 0, duplicates: claims.length - (result?.claimed ?? 0) };
}

/** Forgets message ids older than `ttlSeconds`; returns how many. */
export async function pruneMessageIds(db: Database, ttlSeconds: number): Promise<number> {
  const result = await db.$client`
    delete from device_message_ids where stored_at < now() - make_interval(secs => ${ttlSeconds})`;
  return result.count;
}
