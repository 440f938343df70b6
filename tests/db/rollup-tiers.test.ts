// The hourly tier against the live database: charts whose buckets stitch hourly rows (closed
// days), minute rows (the rest, and minute rows written after the hourly cutoff) and raw readings
// (not rolled up yet, partial edge minutes) equal a direct computation over the readings, before
// and after each roll-up, with late arrivals; the hourly roll-up's watermark (repeated and
// concurrent runs, a backlog taken run by run, deleted devices); the minute tier's maintenance
// (partitions ahead, retention only once the hourly tier holds a partition, VACUUM for
// index-only reads); the statement timeout.
//
// Time is simulated: readings carry an explicit received_at, each minute roll-up is told what
// time it is (the hourly roll-up follows the minute cutoff).
import { useTestDatabase } from "@pulseboard/devstack/test";
import { createOwnerWithDevice } from "@pulseboard/devstack/test/fixtures";
import { UnavailableError } from "@pulseboard/schema/errors";
import { ensurePartitions, listPartitions } from "@pulseboard/schema/queries/partitions";
import { maintainMinuteRollups } from "@pulseboard/schema/queries/rollup-maintenance";
import {
  type RollupPoint,
  rollUpClosedDays,
  rollUpClosedMinutes,
  rollupReadings,
} from "@pulseboard/schema/queries/rollups";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const database = useTestDatabase();
const db = () => database.current.db;
let ownerId: string;
let deviceId: string;
const START = "2026-02-26T00:00:00Z";
const END = "2026-03-03T12:00:00Z";

/** The same figures straight from the readings, with plain SQL (no date_bin, no rollups). */
async function fromRaw(metric: string, from: string, to: string, bucket: number): Promise<RollupPoint[]> {
  return database.current.sql<RollupPoint[]>`
    select to_char(to_timestamp(floor(extract(epoch from recorded_at) / ${bucket}) * ${bucket}) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as t,
           min(value)::float8 as min, avg(value)::float8 as avg, max(value)::float8 as max, count(*)::int as count
    from sensor_readings where device_id = ${deviceId} and metric = ${metric}
      and recorded_at >= ${from}::timestamptz and recorded_at < ${to}::timestamptz
    group by 1 order by 1`;
}

const chart = (metric: string, from: string, to: string, bucketSeconds: number, owner = ownerId) =>
  rollupReadings(db(), {
    ownerId: owner,
    deviceId,
    metric,
    from: new Date(from),
    to: new Date(to),
    bucketSeconds,
  });

// Ranges across the closed days (hourly), the open day (minutes) and the newest minutes (raw),
// on and off hour and minute boundaries; whole-hour, whole-minute and sub-minute buckets.
const RANGES: [string, string][] = [
  [START, "2026-03-05T00:00:00Z"],
  ["2026-02-26T07:17:42.5Z", "2026-03-03T11:59:59.25Z"],
  ["2026-02-28T23:30:00Z", "2026-03-01T00:30:00Z"],
  ["2026-03-02T20:40:07Z", "2026-03-03T13:00:00Z"],
  ["2026-02-27T10:00:00Z", "2026-02-27T11:00:00Z"],
];
const BUCKETS = [3600, 7200, 86_400, 60, 300, 10];

async function expectChartsExact(label: string) {
  for (const [from, to] of RANGES) {
    for (const metric of ["temp", "hum"]) {
      for (const bucket of BUCKETS) {
        // Sub-minute buckets over days are not what a chart asks for; a day of them is enough.
        if (bucket < 60 && Date.parse(to) - Date.parse(from) > 86_400_000) continue;
        const expected = await fromRaw(metric, from, to, bucket);
        expect(
          await chart(metric, from, to, bucket),
          `${label}: ${metric} ${from}..${to} ${bucket}s`,
        ).toEqual(expected);
      }
    }
  }
}

async function insertReading(value: number, recordedAt: string, receivedAt: string, metric = "temp") {
  await database.current.sql`
    insert into sensor_readings (device_id, metric, value, recorded_at, received_at)
    values (${deviceId}, ${metric}, ${value}, ${recordedAt}::timestamptz, ${receivedAt}::timestamptz)`;
}

async function hourRows(hour: string) {
  return database.current.sql<{ count: number; max: number }[]>`
    select count, max::float8 as max from reading_rollups_1h
    where device_id = ${deviceId} and metric = 'temp' and bucket_start = ${hour}::timestamptz
    order by rolled_at`;
}

/** Hourly runs until one finds nothing new (a backlog is taken at most a week per run). */
async function rollDays() {
  let readings = 0;
  for (let run = 0; run < 20; run++) {
    const result = await rollUpClosedDays(db());
    readings += result.readings;
    if (result.readings === 0 && result.cutoff === result.previousCutoff) return readings;
  }
  throw new Error("the hourly roll-up did not settle");
}

async function hourlyTotals() {
  const [row] = await database.current.sql<{ readings: number; hours: number; rows: number }[]>`
    select coalesce(sum(count), 0)::int as readings, count(distinct (metric, bucket_start))::int as hours,
           count(*)::int as rows
    from reading_rollups_1h where device_id = ${deviceId}`;
  return row;
}

beforeAll(async () => {
  await ensurePartitions(db(), "sensor_readings", new Date(START), new Date("2026-03-05T00:00:00Z"));
  await ensurePartitions(db(), "reading_rollups_1m", new Date(START), new Date(END));
  ({ ownerId, deviceId } = await createOwnerWithDevice(db(), crypto.randomUUID()));
  // temp every 20 s to the end of Mar 3, hum every 60 s (off the minute) to Mar 3 noon, each
  // arriving a second after its timestamp; a silent afternoon on Feb 28. (Arrivals are never
  // before a roll-up that already ran: a reading's received_at is when it was stored.)
  await database.current.sql`
    insert into sensor_readings (device_id, metric, value, recorded_at, received_at)
    select ${deviceId}::uuid, m, round((random() * 100)::numeric, 3), t, t + interval '1 second'
    from (values ('temp', 20, 0, timestamptz '2026-03-04T00:00:00Z'), ('hum', 60, 7, ${END}::timestamptz)) s(m, step, offs, until),
         generate_series(0, (extract(epoch from until - ${START}::timestamptz) / step)::int - 1) g,
         lateral (select ${START}::timestamptz + make_interval(secs => g * step + offs) as t) x
    where not (t >= '2026-02-28T13:00:00Z' and t < '2026-02-28T18:00:00Z')`;
});

describe("the hourly tier", () => {
  it("waits for the minute roll-up, and charts are exact meanwhile", async () => {
    expect(await rollUpClosedDays(db())).toMatchObject({
      skipped: false,
      readings: 0,
      rows: 0,
      cutoff: "-infinity",
    });
    await expectChartsExact("nothing rolled up");
  });

  it("rolls up each closed day's minutes into hours, a week per run, in series order", async () => {
    // Minute cutoff Mar 3 11:59:30: minutes to 11:58 stored.
    const minutes = await rollUpClosedMinutes(db(), { now: new Date("2026-03-03T12:00:30Z") });
    expect(minutes.cutoff).toBe("2026-03-03T11:59:30.000000Z");
    // The first run starts at the oldest minute's day and takes at most a week: here all of it.
    const first = await rollUpClosedDays(db());
    expect(first).toMatchObject({ skipped: false, waitingForLegacy: false, previousCutoff: null });
    expect(first.cutoff).toBe("2026-03-03T11:59:30.000000Z");
    // Feb 26 to Mar 2 (5 days), less the silent 5 hours; both metrics.
    const closed = await database.current.sql<{ n: number }[]>`
      select count(*)::int as n from sensor_readings
      where device_id = ${deviceId} and recorded_at < '2026-03-03T00:00:00Z'`;
    expect(first.readings).toBe(closed[0]?.n);
    expect(first.rows).toBe(2 * (5 * 24 - 5));
    expect(await hourlyTotals()).toEqual({ readings: closed[0]?.n, hours: first.rows, rows: first.rows });
    // In series order on disk: the physical order is (metric, hour).
    const order = await database.current.sql<{ metric: string; t: string }[]>`
      select metric, bucket_start::text as t from reading_rollups_1h where device_id = ${deviceId} order by ctid`;
    const sorted = [...order].sort((a, b) => a.metric.localeCompare(b.metric) || a.t.localeCompare(b.t));
    expect(order).toEqual(sorted);
    // Nothing new: nothing added.
    expect(await rollUpClosedDays(db())).toMatchObject({ readings: 0, rows: 0 });
    await expectChartsExact("hours of closed days, minutes of the open one, raw tail");
  });

  it("a late reading counts once: raw, then a minute row after the hourly cutoff, then a further hourly row", async () => {
    const hour = "2026-02-27T10:00:00Z";
    const [original] = await hourRows(hour);
    expect(original?.count).toBe(180);
    await insertReading(1234.5, "2026-02-27T10:15:05Z", "2026-03-03T12:01:00Z");
    const point = async () => (await chart("temp", hour, "2026-02-27T11:00:00Z", 3600))[0];
    expect(await point()).toMatchObject({ count: 181, max: 1234.5 });
    await expectChartsExact("late reading raw");

    // Its minute row is written after the hourly cutoff: the chart takes it from the minutes.
    // (With it, minutes 11:59 to 12:01 of Mar 3: 9 temp readings, 1 hum.)
    expect(await rollUpClosedMinutes(db(), { now: new Date("2026-03-03T12:03:00Z") })).toMatchObject({
      readings: 1 + 9 + 1,
    });
    expect(await point()).toMatchObject({ count: 181, max: 1234.5 });
    expect(await hourRows(hour)).toEqual([original]);
    await expectChartsExact("late minute row, hourly not yet");

    // The next hourly run adds a row of its own for that hour; the first is untouched.
    expect(await rollUpClosedDays(db())).toMatchObject({ readings: 1, rows: 1 });
    expect(await hourRows(hour)).toEqual([original, { count: 1, max: 1234.5 }]);
    expect(await point()).toMatchObject({ count: 181, max: 1234.5 });
    await expectChartsExact("late reading in a further hourly row");
  });

  it("a day's last minutes, rolled up after midnight, join the day when it is rolled up", async () => {
    // Cutoff Mar 3 23:59:10: the day has not ended; its minutes are stored, not its hours.
    await rollUpClosedMinutes(db(), { now: new Date("2026-03-04T00:00:10Z") });
    expect(await rollUpClosedDays(db())).toMatchObject({ readings: 0 });
    await expectChartsExact("the day's minutes, not yet its hours");
    // Cutoff 00:01:30: minute 23:59 (written after midnight), then the whole day to hours: temp
    // all day, hum until noon.
    await rollUpClosedMinutes(db(), { now: new Date("2026-03-04T00:02:30Z") });
    expect(await rollUpClosedDays(db())).toMatchObject({ readings: 24 * 180 + 12 * 60, rows: 24 + 12 });
    const [last] = await hourRows("2026-03-03T23:00:00Z");
    expect(last?.count).toBe(180);
    await expectChartsExact("Mar 3 in hours");
  });

  it("concurrent runs take turns: one rolls up, the others skip or find nothing", async () => {
    await insertReading(-7.5, "2026-03-01T05:05:05Z", "2026-03-04T00:03:00Z");
    await insertReading(8.5, "2026-03-02T06:06:06Z", "2026-03-04T00:03:30Z", "hum");
    await rollUpClosedMinutes(db(), { now: new Date("2026-03-04T00:05:00Z") });
    const holder = postgres(database.current.directUrl, { max: 1 });
    try {
      await holder.begin(async (tx) => {
        await tx`select cutoff from rollup_watermarks where name = 'reading_rollups_1h' for update`;
        expect(await rollUpClosedDays(db())).toMatchObject({ skipped: true, readings: 0 });
      });
    } finally {
      await holder.end();
    }
    const before = await hourlyTotals();
    const results = await Promise.all(Array.from({ length: 6 }, () => rollUpClosedDays(db())));
    expect(results.reduce((n, r) => n + r.readings, 0)).toBe(2);
    expect(results.filter((r) => r.readings > 0)).toHaveLength(1);
    expect(await hourlyTotals()).toMatchObject({
      readings: (before?.readings ?? 0) + 2,
      rows: (before?.rows ?? 0) + 2,
    });
    const [raw] = await database.current.sql<{ n: number }[]>`
      select count(*)::int as n from sensor_readings
      where device_id = ${deviceId} and recorded_at < '2026-03-04T00:00:00Z'`;
    expect((await hourlyTotals())?.readings).toBe(raw?.n);
    await expectChartsExact("after concurrent runs");
  });

  it("another owner gets nothing from the hourly rows either", async () => {
    for (const bucket of [3600, 86_400]) {
      expect(await chart("temp", START, "2026-03-05T00:00:00Z", bucket, "someone-else")).toEqual([]);
    }
  });
});

describe("minute maintenance", () => {
  let direct: postgres.Sql;
  beforeAll(() => {
    direct = postgres(database.current.directUrl, { max: 1, onnotice: () => {} });
  });
  afterAll(async () => {
    await direct.end();
  });

  it("vacuums the tiers that took rows, so charts read them from their indexes alone", async () => {
    const tables = ["reading_rollups_1h", "reading_rollups_1m_202603"];
    // Autovacuum would do it some day: here only the maintenance does.
    for (const table of tables) await direct.unsafe(`alter table ${table} set (autovacuum_enabled = false)`);
    // Inserts reach the statistics when their sessions go idle (within seconds, longer under
    // CI's load). A table autovacuum already took earlier in this file (before it was turned off
    // above) has nothing left to count: that vacuum did the work, and the reads below still hold.
    const pending = async () =>
      await direct<{ relname: string; waiting: boolean }[]>`
        select relname, n_ins_since_vacuum > 0 as waiting from pg_stat_user_tables
        where relname in ${direct(tables)} and (n_ins_since_vacuum > 0 or last_autovacuum is not null)`;
    await expect.poll(async () => (await pending()).length, { timeout: 60_000, interval: 500 }).toBe(2);
    const toVacuum = (await pending()).filter((t) => t.waiting).map((t) => t.relname);
    // Any row counts: a few rows since an earlier autovacuum would otherwise wait for the hour.
    const result = await maintainMinuteRollups(db(), direct, {
      now: new Date("2026-03-04T00:10:00Z"),
      vacuumAfterInserts: 1,
    });
    expect(result.vacuumed).toEqual(expect.arrayContaining(toVacuum));
    // (Next month's partition made ahead; nothing is past the default retention.)
    expect(result.created).toEqual(["reading_rollups_1m_202604"]);
    expect(result.dropped).toEqual([]);
    // A chart's reads of each tier: index-only, no heap page visited.
    for (const [table, from, to] of [
      ["reading_rollups_1h", START, "2026-03-04T00:00:00Z"],
      ["reading_rollups_1m", "2026-03-02T00:00:00Z", "2026-03-04T00:00:00Z"],
    ] as const) {
      const explain = () =>
        direct.begin(async (tx) => {
          await tx`set local enable_seqscan = off`;
          await tx`set local enable_bitmapscan = off`;
          const [row] = await tx.unsafe(
            `explain (analyze, format json) select bucket_start, min, max, sum, count from ${table}
             where device_id = $1 and metric = 'temp' and bucket_start >= $2 and bucket_start < $3`,
            [deviceId, from, to],
          );
          return JSON.stringify(row);
        });
      let plan = await explain();
      // VACUUM marks a page all-visible only once no transaction anywhere may still need its old
      // rows: another test file's open transaction, or a standby's hot_standby_feedback (CI's
      // PostgreSQL 15 run), can hold that back for a moment. Vacuum again until it has passed.
      for (let tries = 0; tries < 20 && !/"Heap Fetches":0\b/.test(plan); tries++) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        await direct.unsafe(`vacuum ${table === "reading_rollups_1m" ? "reading_rollups_1m_202603" : table}`);
        plan = await explain();
      }
      expect(plan, table).toContain('"Node Type":"Index Only Scan"');
      expect(plan, table).toMatch(/"Heap Fetches":0\b/);
      expect(plan, table).not.toMatch(/"Heap Fetches":[1-9]/);
    }
    // Waiting for the statistics and for old snapshots to pass can take a while under load.
  }, 120_000);

  it("drops a month past retention once the hourly tier holds it", async () => {
    const first = await maintainMinuteRollups(db(), direct, {
      now: new Date("2026-03-04T00:10:00Z"),
      retentionDays: 2,
    });
    // February is past retention and held by the hourly tier: it goes.
    expect(first.dropped).toEqual(["reading_rollups_1m_202602"]);
    expect(first.awaitingHourly).toEqual([]);
    const names = (await listPartitions(database.current.sql, "reading_rollups_1m")).map((p) => p.name);
    expect(names).not.toContain("reading_rollups_1m_202602");
    expect(names).toContain("reading_rollups_1m_202603");
    // Whole-hour buckets of February are as exact as before, from the hourly rows alone.
    for (const bucket of [3600, 86_400]) {
      expect(await chart("temp", START, "2026-03-01T00:00:00Z", bucket)).toEqual(
        await fromRaw("temp", START, "2026-03-01T00:00:00Z", bucket),
      );
    }
  });

  it("keeps a month with rows the hourly tier does not hold yet", async () => {
    // The hourly tier past the end of March (a week per run).
    await rollUpClosedMinutes(db(), { now: new Date("2026-04-01T00:01:30Z") });
    await rollDays();
    // A late reading for March 2, rolled up to a minute row after the hourly cutoff.
    await insertReading(55.5, "2026-03-02T02:02:02Z", "2026-04-01T00:00:40Z");
    await rollUpClosedMinutes(db(), { now: new Date("2026-04-01T00:02:00Z") });
    const now = new Date("2026-04-01T00:05:00Z");
    const kept = await maintainMinuteRollups(db(), direct, { now, retentionDays: 0 });
    expect(kept.dropped).toEqual([]);
    expect(kept.awaitingHourly).toEqual(["reading_rollups_1m_202603"]);
    expect(await rollDays()).toBe(1);
    const dropped = await maintainMinuteRollups(db(), direct, { now, retentionDays: 0 });
    expect(dropped.dropped).toEqual(["reading_rollups_1m_202603"]);
    expect(await chart("temp", START, "2026-03-05T00:00:00Z", 3600)).toEqual(
      await fromRaw("temp", START, "2026-03-05T00:00:00Z", 3600),
    );
  });
});

describe("statement timeout", () => {
  it("a chart that cannot finish in time is unavailable, not stuck", async () => {
    const holder = postgres(database.current.directUrl, { max: 1 });
    try {
      await holder.begin(async (tx) => {
        await tx`lock table reading_rollups_1h in access exclusive mode`;
        const started = Date.now();
        const error = await rollupReadings(
          db(),
          {
            ownerId,
            deviceId,
            metric: "temp",
            from: new Date(START),
            to: new Date(END),
            bucketSeconds: 3600,
          },
          { statementTimeoutMs: 300 },
        ).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(UnavailableError);
        expect(error).toMatchObject({ kind: "unavailable", retryAfterSeconds: 1 });
        expect(Date.now() - started).toBeLessThan(5_000);
      });
    } finally {
      await holder.end();
    }
    // The pooled connections keep no timeout of their own afterwards.
    const [setting] = await database.current.sql<
      { v: string }[]
    >`select current_setting('statement_timeout') as v`;
    expect(setting?.v).toBe("0");
  });
});
