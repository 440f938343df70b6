// The ingest benchmark's loss check against the database: the readings the simulator saw
// acknowledged (AckedReadings, from onAck) loaded into a temporary table, then compared with
// sensor_readings for the run's devices in one query. lossVerdict (./loss-verdict.ts) decides.
import type { AckedReadings } from "@pulseboard/simulator";
import type postgres from "postgres";
import type { ReadingsComparison } from "./loss-verdict";

/**
 * Compares every recorded acknowledged reading with what is stored, by (device, metric,
 * recorded_at): missing, stored with another value, stored but never seen acknowledged.
 * `deviceIds[i]` is the log's device i; `acknowledged` is the simulator's count of readings in
 * acknowledged messages. All in one transaction: the temporary table lives on its connection and
 * goes at commit.
 *
 * Times go in as the ingest sends them (epoch ms → Date → ISO text → timestamptz), so equal
 * instants compare equal. Values are compared as float8: the ingest stores a JSON number through
 * a float8 parameter into the numeric column (PostgreSQL's float8 → numeric keeps 15 significant
 * digits), and numeric → float8 gives back the nearest double. For every value with at most 15
 * significant digits, all the simulator sends (two decimals at most, a few digits), that is the
 * very double sent, so `=` is exact; a value the column could not hold exactly (17 digits, e.g.
 * 0.1 + 0.2) shows as another value, which is true of what was stored.
 */
export async function compareAckedReadings(
  sql: postgres.Sql,
  acked: AckedReadings,
  deviceIds: readonly string[],
  acknowledged: number,
): Promise<ReadingsComparison> {
  return sql.begin(async (tx) => {
    await tx`
      create temporary table acked_readings (
        device_id uuid not null, metric text not null, recorded_at timestamptz not null, value float8 not null
      ) on commit drop`;
    for (const b of acked.batches()) {
      await tx`
        insert into acked_readings (device_id, metric, recorded_at, value)
        select * from unnest(${b.device.map((i) => deviceIds[i] as string)}::uuid[], ${b.metric}::text[],
                             ${b.ts.map((t) => new Date(t).toISOString())}::text[]::timestamptz[], ${b.value}::float8[])`;
    }
    await tx`analyze acked_readings`;
    // One row per distinct acknowledged reading (n: how often acknowledged; the simulator never
    // repeats a device's (metric, ts), so 1), fully joined with the devices' stored rows.
    const [row] = await tx<Omit<ReadingsComparison, "acknowledged" | "examples">[]>`
      with a as (
        select device_id, metric, recorded_at, min(value) as value, max(value) as value_max, count(*) as n
        from acked_readings group by device_id, metric, recorded_at
      ), s as (
        select device_id, metric, recorded_at, value::float8 as value
        from sensor_readings where device_id = any(${deviceIds as string[]}::uuid[])
      )
      select
        coalesce(sum(a.n), 0)::int as recorded,
        coalesce(sum(a.n - 1), 0)::int as repeated,
        count(*) filter (where a.device_id is not null and s.device_id is null)::int as missing,
        count(*) filter (where s.device_id is not null and (s.value <> a.value or a.value_max <> a.value))::int
          as mismatched,
        count(s.device_id)::int as stored,
        count(*) filter (where a.device_id is null)::int as unacknowledged
      from a full join s
        on s.device_id = a.device_id and s.metric = a.metric and s.recorded_at = a.recorded_at`;
    const missing = row?.missing ?? 0;
    const mismatched = row?.mismatched ?? 0;
    const examples =
      missing + mismatched === 0
        ? []
        : (
            await tx<{ example: string }[]>`
              select format('%s %s at %s: sent %s, %s', a.device_id, a.metric,
                            to_char(a.recorded_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                            a.value, coalesce('stored ' || s.value::text, 'not stored')) as example
              from acked_readings a
                left join sensor_readings s
                  on s.device_id = a.device_id and s.metric = a.metric and s.recorded_at = a.recorded_at
              where s.device_id is null or s.value::float8 <> a.value
              order by a.recorded_at
              limit 3`
          ).map((r) => r.example);
    return {
      acknowledged,
      recorded: row?.recorded ?? 0,
      repeated: row?.repeated ?? 0,
      missing,
      mismatched,
      stored: row?.stored ?? 0,
      unacknowledged: row?.unacknowledged ?? 0,
      examples,
    };
  });
}
