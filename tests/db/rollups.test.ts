// Rollups against the live database: equal to a direct SQL computation, owner-scoped, empty
// buckets omitted, independent of the session's and the process's time zone across a DST change.
// Every case runs twice: before any roll-up (all from the readings), and after one that rolled up
// part of the data (stored minutes + the raw tail + raw partial minutes at the edges).
import { useTestDatabase } from "@pulseboard/devstack/test";
import { createOwnerWithDevice } from "@pulseboard/devstack/test/fixtures";
import { createDb } from "@pulseboard/schema/client";
import { chooseBucketSeconds, rollUpClosedMinutes, rollupReadings } from "@pulseboard/schema/queries/rollups";
import postgres from "postgres";
import { beforeAll, describe, expect, it } from "vitest";

const database = useTestDatabase();
let ownerId: string;
let deviceId: string;
const from = new Date("2026-03-07T00:00:00Z");
const to = new Date("2026-03-10T00:00:00Z"); // crosses the US DST change on 2026-03-08

type Point = { t: string; min: number; avg: number; max: number; count: number };

/** The same figures straight from the readings, with plain SQL (no date_bin, no rollups). */
async function direct(metric: string, rangeFrom: Date, rangeTo: Date, bucket: number): Promise<Point[]> {
  return database.current.sql<Point[]>`
    select to_char(to_timestamp(floor(extract(epoch from recorded_at) / ${bucket}) * ${bucket}) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as t,
           min(value)::float8 as min, avg(value)::float8 as avg, max(value)::float8 as max, count(*)::int as count
    from sensor_readings where device_id = ${deviceId} and metric = ${metric}
      and recorded_at >= ${rangeFrom.toISOString()}::timestamptz and recorded_at < ${rangeTo.toISOString()}::timestamptz
    group by 1 order by 1`;
}

const chart = (metric: string, rangeFrom: Date, rangeTo: Date, bucketSeconds: number) =>
  rollupReadings(database.current.db, {
    ownerId,
    deviceId,
    metric,
    from: rangeFrom,
    to: rangeTo,
    bucketSeconds,
  });

beforeAll(async () => {
  ownerId = crypto.randomUUID();
  ({ deviceId } = await createOwnerWithDevice(database.current.db, ownerId));
  // One reading a minute for three days, except a silent 6-hour gap; another metric beside it.
  // Each arrives 2 s after its timestamp, as from a device reporting live.
  await database.current.sql`
    insert into sensor_readings (device_id, metric, value, recorded_at, received_at)
    select ${deviceId}::uuid, m, round((random() * 100)::numeric, 3), t, t + interval '2 seconds'
    from generate_series(0, 3 * 24 * 60 - 1) g, unnest(array['temperature', 'humidity']) m,
         lateral (select ${from.toISOString()}::timestamptz + make_interval(mins => g) as t) x
    where not (g between 1800 and 2159)`;
  // A faster metric, every 7 s (not aligned to minutes) across the DST day, so minutes hold
  // several readings and partial minutes at a range's edges matter.
  await database.current.sql`
    insert into sensor_readings (device_id, metric, value, recorded_at, received_at)
    select ${deviceId}::uuid, 'pressure', round((1000 + random() * 50)::numeric, 2), t, t + interval '1 second'
    from generate_series(0, 86400 / 7) g,
         lateral (select timestamptz '2026-03-08 00:00:00+00' + make_interval(secs => g * 7) as t) x`;
});

// Ranges and buckets for the equality checks: whole-minute and sub-minute buckets, ranges on
// and off minute boundaries, some wholly before, across and after the roll-up's cutoff.
const ranges: [string, Date, Date][] = [
  ["the three days", from, to],
  ["off-minute edges", new Date("2026-03-07T03:17:42.5Z"), new Date("2026-03-09T20:03:11.123Z")],
  ["the DST day", new Date("2026-03-08T00:00:00Z"), new Date("2026-03-09T00:00:00Z")],
  ["across the cutoff, off-minute", new Date("2026-03-08T11:40:07Z"), new Date("2026-03-08T12:20:53Z")],
  ["within two minutes", new Date("2026-03-08T11:58:30Z"), new Date("2026-03-08T12:00:30Z")],
  ["within one minute", new Date("2026-03-08T11:58:10Z"), new Date("2026-03-08T11:58:50Z")],
];
const buckets = [10, 60, 300, 3600, 7200, 86_400];

function cases() {
  it("equal a direct SQL computation on the same rows", async () => {
    const points = await chart("temperature", from, to, 3600);
    expect(points).toEqual(await direct("temperature", from, to, 3600));
    expect(points).toHaveLength(72 - 6);
    expect(points.every((p) => p.count === 60)).toBe(true);
  });

  it.each(ranges)(
    "equal a direct SQL computation for %s, every bucket size",
    async (_, rangeFrom, rangeTo) => {
      for (const metric of ["temperature", "pressure"]) {
        for (const bucket of [...buckets, chooseBucketSeconds(rangeFrom, rangeTo)]) {
          const expected = await direct(metric, rangeFrom, rangeTo, bucket);
          const points = await chart(metric, rangeFrom, rangeTo, bucket);
          // Counts, bucket times and min/max exactly; avg is the same numeric sum / count.
          expect(points, `${metric} ${bucket}s`).toEqual(expected);
        }
      }
      const total = (await chart("pressure", rangeFrom, rangeTo, 60)).reduce((n, p) => n + p.count, 0);
      const [row] = await database.current.sql<{ n: number }[]>`
      select count(*)::int as n from sensor_readings where device_id = ${deviceId} and metric = 'pressure'
        and recorded_at >= ${rangeFrom.toISOString()}::timestamptz and recorded_at < ${rangeTo.toISOString()}::timestamptz`;
      expect(total).toBe(row?.n);
    },
  );

  it("omit empty buckets", async () => {
    const points = await chart("temperature", from, to, 3600);
    const hours = points.map((p) => p.t);
    expect(hours).not.toContain("2026-03-08T06:00:00Z");
    expect(hours).toContain("2026-03-08T05:00:00Z");
    expect(hours).toContain("2026-03-08T12:00:00Z");
    const minutes = (await chart("temperature", from, to, 60)).map((p) => p.t);
    expect(minutes).toHaveLength(3 * 24 * 60 - 360);
    expect(minutes).not.toContain("2026-03-08T06:00:00Z");
    expect(
      await chart("temperature", new Date("2026-03-08T07:00:00Z"), new Date("2026-03-08T08:00:00Z"), 60),
    ).toEqual([]);
  });

  it("answer nothing for another owner's device", async () => {
    for (const bucketSeconds of [10, 3600]) {
      const points = await rollupReadings(database.current.db, {
        ownerId: "someone-else",
        deviceId,
        metric: "temperature",
        from,
        to,
        bucketSeconds,
      });
      expect(points).toEqual([]);
    }
  });

  it("do not move with the session's or the process's time zone across a DST change", async () => {
    const utc = await chart("temperature", from, to, 86_400);
    const ny = postgres(database.current.directUrl, { max: 1, connection: { TimeZone: "America/New_York" } });
    const processZone = process.env.TZ;
    process.env.TZ = "America/New_York";
    try {
      expect(new Date(2026, 2, 8, 12).getTimezoneOffset()).toBe(240); // the process is in New York
      const local = await rollupReadings(createDb(ny), {
        ownerId,
        deviceId,
        metric: "temperature",
        from,
        to,
        bucketSeconds: 86_400,
      });
      expect(local).toEqual(utc);
      expect(local.map((p) => p.t)).toEqual([
        "2026-03-07T00:00:00Z",
        "2026-03-08T00:00:00Z",
        "2026-03-09T00:00:00Z",
      ]);
      // Hourly across the change: 24 buckets on the short local day too, each of 60 readings.
      const day = { from: new Date("2026-03-08T00:00:00Z"), to: new Date("2026-03-09T00:00:00Z") };
      const hourly = await rollupReadings(createDb(ny), {
        ownerId,
        deviceId,
        metric: "pressure",
        ...day,
        bucketSeconds: 3600,
      });
      expect(hourly.map((p) => p.t)).toEqual(
        Array.from({ length: 24 }, (_, h) => `2026-03-08T${String(h).padStart(2, "0")}:00:00Z`),
      );
      expect(hourly).toEqual(await direct("pressure", day.from, day.to, 3600));
    } finally {
      if (processZone === undefined) delete process.env.TZ;
      else process.env.TZ = processZone;
      await ny.end();
    }
  });
}

describe("rollups, before any roll-up", () => {
  it("have nothing stored yet", async () => {
    const [row] = await database.current.sql<
      { n: number }[]
    >`select count(*)::int as n from reading_rollups_1m`;
    expect(row?.n).toBe(0);
  });
  cases();
});

describe("rollups, stored minutes with the raw tail", () => {
  beforeAll(async () => {
    // The roll-up as it would run at 12:00:20 on the DST day: the cutoff is 11:59:20, so minutes
    // up to 11:58 are stored and the rest of the readings stay raw.
    const result = await rollUpClosedMinutes(database.current.db, { now: new Date("2026-03-08T12:00:20Z") });
    expect(result).toMatchObject({
      skipped: false,
      previousCutoff: null,
      cutoff: "2026-03-08T11:59:20.000000Z",
    });
    const [row] = await database.current.sql<{ n: number }[]>`
      select count(*)::int as n from sensor_readings
      where recorded_at < timestamptz '2026-03-08 11:59:00+00'`;
    expect(result.readings).toBe(row?.n);
  });

  it("have stored the minutes before the cutoff, and only those", async () => {
    const [stored] = await database.current.sql<
      { rows: number; readings: number; first: string; last: string }[]
    >`
      select count(*)::int as rows, sum(count)::int as readings,
             min(bucket_start)::text as first, max(bucket_start)::text as last
      from reading_rollups_1m where metric = 'pressure'`;
    expect(stored).toEqual({
      rows: 12 * 60 - 1,
      readings: Math.ceil((11 * 3600 + 59 * 60) / 7),
      first: "2026-03-08 00:00:00+00",
      last: "2026-03-08 11:58:00+00",
    });
    // The newest readings are still raw: the stored ones do not cover the whole range.
    const [raw] = await database.current.sql<{ n: number }[]>`
      select count(*)::int as n from sensor_readings where metric = 'pressure'`;
    expect(raw?.n).toBeGreaterThan(stored?.readings ?? 0);
  });

  cases();
});
