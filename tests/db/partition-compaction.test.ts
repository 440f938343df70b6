// Closed partitions' indexes rebuilt packed (compactClosedPartitions): a day of readings written
// interleaved across many series, as the ingest writes it, leaves its primary key's pages about
// half full; once the day is closed the rebuild takes it to about half the size, once per
// partition, newest first, one process at a time, cleaning up after an interrupted rebuild.
import { useTestDatabase } from "@pulseboard/devstack/test";
import { createDirectClient } from "@pulseboard/schema/client";
import { compactClosedPartitions } from "@pulseboard/schema/queries/partitions";
import type postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const database = useTestDatabase();
let direct: postgres.Sql;
let other: postgres.Sql;
const DAY = "sensor_readings_20261015";

beforeAll(async () => {
  direct = createDirectClient(database.current.directUrl, { max: 1 });
  other = createDirectClient(database.current.directUrl, { max: 1 });
  // 100 series × 1,000 instants a minute apart, inserted instant by instant (every series gets a
  // row, then the next instant): each insert lands on the series' own page of the key.
  await database.current.sql`
    insert into sensor_readings (device_id, metric, value, recorded_at, received_at)
    select ('00000000-0000-4000-8000-' || lpad(s::text, 12, '0'))::uuid, 'temperature', s + i,
           t, t
    from generate_series(0, 999) i,
         lateral (select timestamptz '2026-10-15 06:00:00+00' + i * interval '1 minute' as t) at_,
         generate_series(1, 100) s
    order by i, s`;
});

afterAll(async () => {
  await direct?.end({ timeout: 5 });
  await other?.end({ timeout: 5 });
});

const compact = (now: string, sql = direct, limit?: number) =>
  compactClosedPartitions(database.current.db, sql, "sensor_readings", new Date(now), { limit });

async function indexBytes(table: string): Promise<number> {
  const [row] = await database.current.sql<{ bytes: string }[]>`
    select pg_indexes_size(to_regclass(${table}))::text as bytes`;
  return Number(row?.bytes);
}

async function compacted(): Promise<string[]> {
  const rows = await database.current.sql<{ partition: string }[]>`
    select partition from partition_compactions order by partition`;
  return rows.map((r) => r.partition);
}

describe("closed partitions' indexes rebuilt packed", () => {
  it("waits an hour after the day ends, then rebuilds the newest closed day first", async () => {
    // At 00:59 on the 16th, the 15th is not closed: the newest closed day is the 14th.
    const early = await compact("2026-10-16T00:59:00Z");
    expect(early.compacted.map((c) => c.partition)).toEqual(["sensor_readings_20261014"]);

    const before = await indexBytes(DAY);
    const result = await compact("2026-10-16T01:00:00Z");
    expect(result.compacted.map((c) => c.partition)).toEqual([DAY]);
    const [done] = result.compacted;
    expect(done?.indexBytesBefore).toBe(before);
    const after = await indexBytes(DAY);
    expect(done?.indexBytesAfter).toBe(after);
    // The interleaved key was about half full; rebuilt, it is at most two thirds of that.
    expect(after).toBeLessThan(before * 0.67);
    expect(await compacted()).toEqual(["sensor_readings_20261014", DAY]);

    // The key is valid and serves its lookups.
    const [row] = await database.current.sql<{ n: number; valid: boolean }[]>`
      select (select count(*)::int from sensor_readings
              where device_id = '00000000-0000-4000-8000-000000000007' and metric = 'temperature'
                and recorded_at >= '2026-10-15' and recorded_at < '2026-10-16') as n,
             (select bool_and(i.indisvalid) from pg_index i where i.indrelid = ${DAY}::regclass) as valid`;
    expect(row).toEqual({ n: 1000, valid: true });
  });

  it("rebuilds each partition once: the next run takes the next older one", async () => {
    const result = await compact("2026-10-16T02:00:00Z");
    expect(result.compacted.map((c) => c.partition)).toEqual(["sensor_readings_20261013"]);
    expect(await compacted()).toEqual(["sensor_readings_20261013", "sensor_readings_20261014", DAY]);
  });

  it("drops the invalid copy an interrupted rebuild left, then rebuilds", async () => {
    // A failed CREATE INDEX CONCURRENTLY leaves an invalid index, as an interrupted REINDEX
    // CONCURRENTLY leaves its `_ccnew` copy.
    const table = "sensor_readings_20261012";
    await database.current.sql`
      insert into sensor_readings (device_id, metric, value, recorded_at, received_at)
      values ('00000000-0000-4000-8000-000000000001', 'a', 1, '2026-10-12T01:00:00Z', now()),
             ('00000000-0000-4000-8000-000000000001', 'a', 2, '2026-10-12T02:00:00Z', now())`;
    await expect(
      direct.unsafe(
        `create unique index concurrently sensor_readings_20261012_pkey_ccnew on ${table} (metric)`,
      ),
    ).rejects.toThrow();
    const invalid = () => database.current.sql<{ name: string }[]>`
      select c.relname as name from pg_index i join pg_class c on c.oid = i.indexrelid
      where i.indrelid = ${table}::regclass and not i.indisvalid`;
    expect(await invalid()).toHaveLength(1);

    const result = await compact("2026-10-16T02:00:00Z");
    expect(result.compacted.map((c) => c.partition)).toEqual([table]);
    expect(await invalid()).toEqual([]);
  });

  it("two processes at once never rebuild a partition twice", async () => {
    const results = await Promise.all([
      compact("2026-10-16T02:00:00Z", direct),
      compact("2026-10-16T02:00:00Z", other),
    ]);
    // Both may have found the 11th due: one rebuilt it, the other found it taken (deferred) or
    // already done (and took the next older day).
    const all = results.flatMap((r) => r.compacted.map((c) => c.partition));
    expect(all).toContain("sensor_readings_20261011");
    expect(new Set(all).size).toBe(all.length);
    expect(
      all.every((name) => name === "sensor_readings_20261011" || name === "sensor_readings_20261010"),
    ).toBe(true);
  });

  it("forgets partitions that are gone", async () => {
    await database.current.sql.unsafe(
      "alter table sensor_readings detach partition sensor_readings_20261013",
    );
    await database.current.sql.unsafe("drop table sensor_readings_20261013");
    await compact("2026-10-16T02:00:00Z", direct, 0);
    expect(await compacted()).not.toContain("sensor_readings_20261013");
    expect(await compacted()).toContain(DAY);
  });
});
