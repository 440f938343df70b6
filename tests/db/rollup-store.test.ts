// The stored one-minute rollups against the live database: what each roll-up takes, late and
// future-stamped readings counted exactly once before and after the next roll-up, repeated and
// concurrent runs, an insert still open while a roll-up runs, owners, cascades. Charts are
// compared with a direct SQL computation over the readings after every step.
//
// Time is simulated: readings carry an explicit received_at (arrival 1 s after their timestamp,
// as from a device reporting live), and each roll-up is told what time it is.
import { useTestDatabase } from "@pulseboard/devstack/test";
import { createOwnerWithDevice } from "@pulseboard/devstack/test/fixtures";
import { rollUpClosedMinutes, rollupReadings } from "@pulseboard/schema/queries/rollups";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const database = useTestDatabase();
const owners = { a: crypto.randomUUID(), b: crypto.randomUUID() };
const device = { a: "", b: "" };
const START = "2026-03-08T10:00:00Z";
const END = "2026-03-08T12:00:00Z";

type Point = { t: string; min: number; avg: number; max: number; count: number };

// The roll-up runs on the one database handle, as in the alerter (Drizzle's client: timestamps
// pass through as text).
const rollAt = (iso: string) => rollUpClosedMinutes(database.current.db, { now: new Date(iso) });

async function direct(deviceId: string, from: string, to: string, bucket: number): Promise<Point[]> {
  return database.current.sql<Point[]>`
    select to_char(to_timestamp(floor(extract(epoch from recorded_at) / ${bucket}) * ${bucket}) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as t,
           min(value)::float8 as min, avg(value)::float8 as avg, max(value)::float8 as max, count(*)::int as count
    from sensor_readings where device_id = ${deviceId} and metric = 'temp'
      and recorded_at >= ${from}::timestamptz and recorded_at < ${to}::timestamptz
    group by 1 order by 1`;
}

const chart = (ownerId: string, deviceId: string, from: string, to: string, bucketSeconds: number) =>
  rollupReadings(database.current.db, {
    ownerId,
    deviceId,
    metric: "temp",
    from: new Date(from),
    to: new Date(to),
    bucketSeconds,
  });

/** Charts of device a over several ranges and buckets equal the direct computation. */
async function expectChartsExact(): Promise<void> {
  for (const [from, to] of [
    [START, END],
    ["2026-03-08T10:14:33Z", "2026-03-08T11:21:07.5Z"],
    ["2026-03-08T00:00:00Z", "2026-03-09T00:00:00Z"],
  ] as const) {
    for (const bucket of [60, 300, 3600]) {
      const expected = await direct(device.a, from, to, bucket);
      expect(expected.length).toBeGreaterThan(0);
      expect(await chart(owners.a, device.a, from, to, bucket), `${from}..${to} ${bucket}s`).toEqual(
        expected,
      );
    }
  }
}

async function stored(deviceId: string) {
  const [row] = await database.current.sql<{ rows: number; readings: number; duplicates: number }[]>`
    select count(*)::int as rows, coalesce(sum(count), 0)::int as readings,
           (count(*) - count(distinct (metric, bucket_start)))::int as duplicates
    from reading_rollups_1m where device_id = ${deviceId}`;
  return row;
}

async function minuteRows(deviceId: string, minute: string) {
  return database.current.sql<{ count: number; min: number; max: number; sum: number; rolled_at: string }[]>`
    select count, min::float8 as min, max::float8 as max, sum::float8 as sum, rolled_at::text
    from reading_rollups_1m where device_id = ${deviceId} and metric = 'temp' and bucket_start = ${minute}::timestamptz
    order by rolled_at, count desc`;
}

async function insertReading(deviceId: string, value: number, recordedAt: string, receivedAt: string) {
  await database.current.sql`
    insert into sensor_readings (device_id, metric, value, recorded_at, received_at)
    values (${deviceId}, 'temp', ${value}, ${recordedAt}::timestamptz, ${receivedAt}::timestamptz)`;
}

beforeAll(async () => {
  for (const key of ["a", "b"] as const) {
    device[key] = (await createOwnerWithDevice(database.current.db, owners[key], key)).deviceId;
    // A reading every 10 s from 10:00 to 12:00, each arriving a second after its timestamp.
    await database.current.sql`
      insert into sensor_readings (device_id, metric, value, recorded_at, received_at)
      select ${device[key]}::uuid, 'temp', round((random() * 40)::numeric, 2), t, t + interval '1 second'
      from generate_series(0, 719) g,
           lateral (select ${START}::timestamptz + make_interval(secs => g * 10) as t) x`;
  }
  // Readings stored before received_at existed: the migration gave them the epoch.
  await database.current.sql`
    insert into sensor_readings (device_id, metric, value, recorded_at, received_at)
    select ${device.a}::uuid, 'temp', 5 + g, timestamptz '2026-03-08 01:00:00+00' + make_interval(mins => g),
           timestamptz '1970-01-01 00:00:00+00'
    from generate_series(0, 9) g`;
});

afterAll(async () => {});

describe("rolling up closed minutes", () => {
  it("the first run takes what is already stored, up to a minute before now", async () => {
    await expectChartsExact(); // nothing stored yet: all from the readings
    const result = await rollAt("2026-03-08T10:30:00Z");
    // Cutoff 10:29:00: minutes 10:00 to 10:28 are closed (their last reading arrived at 10:28:51),
    // for both devices, and the ten old readings.
    expect(result).toEqual({
      skipped: false,
      previousCutoff: null,
      cutoff: "2026-03-08T10:29:00.000000Z",
      readings: 2 * 29 * 6 + 10,
      rows: 2 * 29 + 10,
    });
    expect(await stored(device.a)).toEqual({ rows: 29 + 10, readings: 29 * 6 + 10, duplicates: 0 });
    await expectChartsExact();
  });

  it("a second run rolls up only what closed since, and the cutoff never moves back", async () => {
    expect(await rollAt("2026-03-08T10:30:00Z")).toMatchObject({ readings: 0, rows: 0 });
    const result = await rollAt("2026-03-08T10:45:30Z");
    expect(result).toMatchObject({
      previousCutoff: "2026-03-08T10:29:00.000000Z",
      cutoff: "2026-03-08T10:44:30.000000Z",
      readings: 2 * 15 * 6, // minutes 10:29 to 10:43
    });
    expect(await rollAt("2026-03-08T10:40:00Z")).toMatchObject({
      cutoff: "2026-03-08T10:44:30.000000Z",
      readings: 0,
    });
    expect(await stored(device.a)).toEqual({ rows: 44 + 10, readings: 44 * 6 + 10, duplicates: 0 });
    await expectChartsExact();
  });

  it("concurrent runs take turns: a run that finds the watermark locked skips, none double counts", async () => {
    const holder = postgres(database.current.directUrl, { max: 1 });
    try {
      await holder.begin(async (tx) => {
        await tx`select cutoff from rollup_watermarks for update`;
        expect(await rollAt("2026-03-08T11:00:30Z")).toMatchObject({ skipped: true, readings: 0 });
      });
    } finally {
      await holder.end();
    }
    const results = await Promise.all(Array.from({ length: 6 }, () => rollAt("2026-03-08T11:00:30Z")));
    expect(results.reduce((n, r) => n + r.readings, 0)).toBe(2 * 15 * 6); // minutes 10:44 to 10:58
    expect(results.filter((r) => r.readings > 0)).toHaveLength(1);
    expect(await stored(device.a)).toEqual({ rows: 59 + 10, readings: 59 * 6 + 10, duplicates: 0 });
    await expectChartsExact();
  });

  it("a late reading counts once: raw before the next roll-up, as a further row after it", async () => {
    const [original] = await minuteRows(device.a, "2026-03-08T10:15:00Z");
    expect(original?.count).toBe(6);
    // Recorded at 10:15:05, in a minute rolled up long ago, arriving at 11:05.
    await insertReading(device.a, 99.5, "2026-03-08T10:15:05Z", "2026-03-08T11:05:00Z");
    const minute = async () =>
      (await chart(owners.a, device.a, "2026-03-08T10:15:00Z", "2026-03-08T10:16:00Z", 60))[0];
    expect(await minute()).toMatchObject({ count: 7, max: 99.5 });
    await expectChartsExact();

    // Cutoff 11:09: the late reading, and minutes 10:59 to 11:08.
    expect(await rollAt("2026-03-08T11:10:00Z")).toMatchObject({ readings: 2 * 10 * 6 + 1 });
    expect(await minute()).toMatchObject({ count: 7, max: 99.5 });
    // The minute's first row is untouched; the late reading is a row of its own.
    expect(await minuteRows(device.a, "2026-03-08T10:15:00Z")).toEqual([
      original,
      expect.objectContaining({ count: 1, min: 99.5, max: 99.5, sum: 99.5 }),
    ]);
    await expectChartsExact();
  });

  it("a reading stamped in the future is rolled up a minute after it arrives, and its minute again when it closes", async () => {
    // Stamped 11:20:35 (the device's clock runs ahead), arriving at 11:16.
    await insertReading(device.a, -3.25, "2026-03-08T11:20:35Z", "2026-03-08T11:16:00Z");
    await expectChartsExact();
    // Cutoff 11:17:30: it is rollable since 11:17, though its minute has not ended.
    expect(await rollAt("2026-03-08T11:18:30Z")).toMatchObject({ readings: 2 * 8 * 6 + 1 });
    expect(await minuteRows(device.a, "2026-03-08T11:20:00Z")).toEqual([
      expect.objectContaining({ count: 1, min: -3.25, max: -3.25 }),
    ]);
    await expectChartsExact(); // minute 11:20: the stored row + its six readings still raw
    expect(await rollAt("2026-03-08T11:30:00Z")).toMatchObject({ readings: 2 * 12 * 6 }); // 11:17 to 11:28
    const rows = await minuteRows(device.a, "2026-03-08T11:20:00Z");
    expect(rows.map((r) => r.count).sort()).toEqual([1, 6]);
    await expectChartsExact();
    const [point] = await chart(owners.a, device.a, "2026-03-08T11:20:00Z", "2026-03-08T11:21:00Z", 60);
    expect(point).toMatchObject({ count: 7, min: -3.25 });
  });

  it("another owner gets nothing from the stored rollups either", async () => {
    expect((await stored(device.a))?.rows).toBeGreaterThan(0);
    for (const bucket of [60, 3600]) {
      expect(await chart(owners.b, device.a, START, END, bucket)).toEqual([]);
      expect(await chart("nobody", device.a, START, END, bucket)).toEqual([]);
      // Owner b's own device charts fine, with its own readings only.
      expect(await chart(owners.b, device.b, START, END, bucket)).toEqual(
        await direct(device.b, START, END, bucket),
      );
    }
  });

  it("a deleted device's rollups are read by no chart, and its readings are rolled up no further", async () => {
    expect((await stored(device.b))?.rows).toBe(89);
    const before = await stored(device.a);
    await database.current.sql`delete from devices where id = ${device.b}`;
    // No cascade (partitioned tables have no foreign key to devices): its rows wait for the
    // background purge, and no chart of anyone's reads them.
    for (const bucket of [60, 3600]) expect(await chart(owners.b, device.b, START, END, bucket)).toEqual([]);
    expect(await rollAt("2026-03-08T11:35:00Z")).toMatchObject({ readings: 5 * 6 }); // device a's 11:29 to 11:33
    expect((await stored(device.b))?.rows).toBe(89);
    expect((await stored(device.a))?.rows).toBe((before?.rows ?? 0) + 5);
    await expectChartsExact();
  });

  it("a reading whose insert is still open when the roll-up runs is not skipped", async () => {
    // A real clock from here on: the open transaction's start is its readings' received_at.
    const writer = postgres(database.current.directUrl, { max: 1 });
    const reader = postgres(database.current.directUrl, { max: 1 });
    let release = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    // A long read-only transaction, open since before the insert: it writes nothing, so it holds
    // nothing back.
    let readerStarted: (at: string) => void = () => {};
    const readerStart = new Promise<string>((resolve) => {
      readerStarted = resolve;
    });
    const reading = reader.begin(async (tx) => {
      const [row] = await tx<{ at: string }[]>`
        select to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as at`;
      readerStarted(row?.at ?? "");
      await released;
    });
    const readerIso = await readerStart;
    let inserted: (at: string) => void = () => {};
    const startedAt = new Promise<string>((resolve) => {
      inserted = resolve;
    });
    const open = writer.begin(async (tx) => {
      const [row] = await tx<{ at: string }[]>`
        insert into sensor_readings (device_id, metric, value, recorded_at)
        values (${device.a}, 'temp', 123.5, '2026-03-08T11:40:05Z')
        returning to_char(received_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as at`;
      inserted(row?.at ?? "");
      await released;
    });
    try {
      const startIso = await startedAt;
      const start = new Date(startIso);
      // Ten minutes later by the roll-up's clock, the insert has still not committed: the cutoff
      // stays before the transaction's start instead of passing its invisible reading by.
      const ahead = new Date(start.getTime() + 10 * 60_000).toISOString();
      const during = await rollAt(ahead);
      // (ISO strings with microseconds, in one format: they compare as text.)
      expect(during.cutoff && during.cutoff < startIso).toBe(true);
      expect(during.cutoff && during.cutoff > readerIso).toBe(true);
      release();
      await open;

      const minute = async () =>
        (await chart(owners.a, device.a, "2026-03-08T11:40:00Z", "2026-03-08T11:41:00Z", 60))[0];
      expect(await minute()).toMatchObject({ count: 7, max: 123.5 }); // raw, late
      expect(await rollAt(ahead)).toMatchObject({ readings: 1 });
      expect(await minute()).toMatchObject({ count: 7, max: 123.5 }); // stored, once
      expect(await minuteRows(device.a, "2026-03-08T11:40:00Z")).toEqual([
        expect.objectContaining({ count: 6 }),
        expect.objectContaining({ count: 1, max: 123.5 }),
      ]);
      await expectChartsExact();
    } finally {
      release();
      await Promise.all([open.catch(() => {}), reading.catch(() => {})]);
      await Promise.all([writer.end(), reader.end()]);
    }
  });
});
