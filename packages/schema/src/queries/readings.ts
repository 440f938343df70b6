// Sensor readings as the ingest writes them: one statement per flush, whatever its size.
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
 * fail.
 * With `skipMissingDevices`, rows of devices deleted meanwhile are dropped instead of failing the
 * statement with a foreign-key violation. Returns the rows inserted.
 */
export async function insertReadings(
  db: Database,
  rows: readonly ReadingRow[],
  skipMissingDevices = false,
): Promise<number> {
  const sql = db.$client;
  const deviceIds = rows.map((r) => r.deviceId);
  const metrics = rows.map((r) => r.metric);
  const values = rows.map((r) => r.value);
  const times = rows.map((r) => r.recordedAt.toISOString());
  const result = skipMissingDevices
    ? await sql`
        insert into sensor_readings (device_id, metric, value, recorded_at)
        select r.device_id, r.metric, r.value, r.recorded_at
        from unnest(${deviceIds}::uuid[], ${metrics}::text[], ${values}::float8[], ${times}::text[]::timestamptz[])
          as r(device_id, metric, value, recorded_at)
        where exists (select 1 from devices d where d.id = r.device_id)
        on conflict (device_id, metric, recorded_at) do nothing`
    : await sql`
        insert into sensor_readings (device_id, metric, value, recorded_at)
        select * from unnest(${deviceIds}::uuid[], ${metrics}::text[], ${values}::float8[], ${times}::text[]::timestamptz[])
        on conflict (device_id, metric, recorded_at) do nothing`;
  return result.count;
}
