// Partition maintenance: reading partitions made ahead, and raw days past RAW_RETENTION_DAYS
// dropped whole, only once rolled up, without a lock that would stop ingest; a drop that cannot
// get its lock in time is finished by a later run; closed partitions' indexes rebuilt packed, once;
// the partitions that took readings vacuumed at every sweep (windows read the key alone).
import { useTestDatabase } from "@pulseboard/devstack/test";
import { createDirectClient } from "@pulseboard/schema/client";
import { partitionFor } from "@pulseboard/schema/partitions";
import { ensurePartitions } from "@pulseboard/schema/queries/partitions";
import { rollUpClosedMinutes } from "@pulseboard/schema/queries/rollups";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningAlerter, setupRule, startAlerter } from "./harness";

const database = useTestDatabase();
const DAY = 86_400_000;
let alerter: RunningAlerter;
let direct: postgres.Sql;

beforeAll(async () => {
  direct = createDirectClient(database.current.directUrl);
  alerter = await startAlerter(database.current.url, {}, { direct });
});

afterAll(async () => {
  await alerter?.close();
  await direct?.end({ timeout: 5 });
});

const day = (offsetDays: number) =>
  partitionFor("sensor_readings", "day", new Date(Date.now() + offsetDays * DAY));

async function attached(): Promise<string[]> {
  const rows = await database.current.sql<{ name: string }[]>`
    select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
    where i.inhparent = 'sensor_readings'::regclass order by 1`;
  return rows.map((r) => r.name);
}

async function chartTotal(deviceId: string): Promise<number> {
  const [row] = await database.current.sql<{ n: number }[]>`
    select coalesce(sum(count), 0)::int as n from reading_rollups_1m where device_id = ${deviceId}`;
  return row?.n ?? 0;
}

describe("partition maintenance", () => {
  it("makes the coming days' partitions", async () => {
    await database.current.sql.unsafe(`alter table sensor_readings detach partition "${day(2).name}"`);
    await database.current.sql.unsafe(`drop table "${day(2).name}"`);
    const result = await alerter.app.maintain();
    expect(result?.created).toEqual([day(2).name]);
    expect(await attached()).toContain(day(2).name);
  });

  it("drops raw days past retention only once rolled up, keeping their roll-ups and younger days", async () => {
    const { deviceId } = await setupRule(database.current.db);
    await database.current.sql`
      insert into sensor_readings (device_id, metric, value, recorded_at, received_at)
      select ${deviceId}, 'temperature', 20 + d, t, t
      from unnest(array[35, 31, 29, 10]) d, lateral (select now() - d * interval '1 day' as t) s`;
    // Nothing rolled up yet: nothing may go, however old.
    expect((await alerter.app.maintain())?.dropped).toEqual([]);
    expect(await attached()).toContain(day(-35).name);

    await rollUpClosedMinutes(database.current.db);
    const result = await alerter.app.maintain();
    // Every day before the retention start went (the test database's March fixtures too)...
    expect(result?.dropped).toContain(day(-35).name);
    expect(result?.dropped).toContain(day(-31).name);
    expect(result?.dropped).toContain("sensor_readings_20260301");
    const left = await attached();
    expect(left.filter((name) => name < day(-30).name)).toEqual([]);
    // ...and nothing younger.
    expect(left).toContain(day(-30).name);
    expect(left).toContain(day(-29).name);
    const [raw] = await database.current.sql<{ n: number }[]>`
      select count(*)::int as n from sensor_readings where device_id = ${deviceId}`;
    expect(raw?.n).toBe(2);
    // The minute roll-ups of the dropped days stay: charts still show them.
    expect(await chartTotal(deviceId)).toBe(4);
    expect(alerter.logs.some((l) => l.msg === "raw readings past retention dropped")).toBe(true);
  });

  it("a drop whose lock does not come in time is deferred, then finished by a later run", async () => {
    // A fresh expired day, and a transaction reading it that stays open.
    const old = day(-33);
    await database.current.sql.unsafe(
      `create table "${old.name}" partition of sensor_readings for values from ('${old.from.toISOString()}') to ('${old.to.toISOString()}')`,
    );
    const reader = postgres(database.current.directUrl, { max: 1 });
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let opened = () => {};
    const isOpen = new Promise<void>((resolve) => {
      opened = resolve;
    });
    const reading = reader.begin(async (tx) => {
      await tx.unsafe(`select count(*) from "${old.name}"`);
      opened();
      await held;
    });
    try {
      await isOpen;
      const maintaining = alerter.app.maintain();
      // While the drop waits for that reader, ingest goes straight through (a lock_timeout of 1 s
      // would fail it if it queued behind the drop).
      const { deviceId } = await setupRule(database.current.db);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await database.current.sql.begin(async (tx) => {
        await tx`select set_config('lock_timeout', '1s', true)`;
        await tx`insert into sensor_readings (device_id, metric, value, recorded_at) values (${deviceId}, 't', 1, now())`;
      });
      const blocked = await maintaining;
      expect(blocked?.deferred).toContain(old.name);
      expect(blocked?.dropped).not.toContain(old.name);
    } finally {
      release();
      await reading;
      await reader.end();
    }
    const later = await alerter.app.maintain();
    expect(later?.dropped).toContain(old.name);
    expect(await attached()).not.toContain(old.name);
    const [gone] = await database.current.sql<
      { t: string | null }[]
    >`select to_regclass(${old.name})::text as t`;
    expect(gone?.t).toBeNull();
  });

  it("rebuilds the indexes of one closed partition of each table a run, newest first, once", async () => {
    // Closed months of minute roll-ups beside the days the template has.
    await ensurePartitions(
      database.current.db,
      "reading_rollups_1m",
      new Date("2026-06-01T00:00:00Z"),
      new Date("2026-09-30T00:00:00Z"),
    );
    const logged = alerter.logs.length;
    const first = await alerter.app.maintain();
    const readings = first?.compacted.filter((name) => name.startsWith("sensor_readings_")) ?? [];
    const minutes = first?.compacted.filter((name) => name.startsWith("reading_rollups_1m_")) ?? [];
    expect(readings).toHaveLength(1);
    expect(minutes).toHaveLength(1);
    const second = await alerter.app.maintain();
    const both = [...(first?.compacted ?? []), ...(second?.compacted ?? [])];
    expect(new Set(both).size).toBe(4);
    // Newest closed first: the second run's day is older than the first's.
    const nextDay = second?.compacted.find((name) => name.startsWith("sensor_readings_")) ?? "";
    expect(nextDay < (readings[0] ?? "")).toBe(true);
    expect(
      alerter.logs.slice(logged).filter((l) => l.msg === "closed partition's indexes rebuilt packed"),
    ).toHaveLength(4);
  });
});

// Last: its sweep also rolls up and maintains, which the tests above set up by hand.
describe("VACUUM of new readings", () => {
  it("vacuums the partitions that took readings at every sweep, so windows read the key alone", async () => {
    const { deviceId } = await setupRule(database.current.db);
    const sql = database.current.sql;
    await sql`
      insert into sensor_readings (device_id, metric, value, recorded_at)
      select ${deviceId}, 'temperature', g, now() - make_interval(secs => g) from generate_series(1, 300) g`;
    const window = () =>
      sql.unsafe(
        `explain (analyze, costs off, timing off, summary off)
         select avg(value) from sensor_readings
         where device_id = '${deviceId}' and metric = 'temperature' and recorded_at >= now() - interval '200 seconds'`,
      );
    await sql`set enable_bitmapscan = off`.then(() => sql`set enable_seqscan = off`);
    const before = (await window()).map((r) => r["QUERY PLAN"]).join("\n");
    // The key carries the value (migration 0015): an index-only scan, but each row is looked up in
    // the table until a VACUUM marks its page all-visible.
    expect(before).toMatch(/Index Only Scan using sensor_readings_\d{8}_pkey/);
    expect(before).toMatch(/Heap Fetches: [1-9]/);
    await alerter.app.sweep();
    // The VACUUM the sweep started (or, were it done already, one finding nothing new).
    await alerter.app.vacuumNewReadings();
    const after = (await window()).map((r) => r["QUERY PLAN"]).join("\n");
    expect(after).toMatch(/Heap Fetches: 0/);
    const [stats] = await sql<{ n: number }[]>`
      select n_ins_since_vacuum::int as n from pg_stat_user_tables where relname = ${day(0).name}`;
    expect(stats?.n).toBe(0);
  });
});
