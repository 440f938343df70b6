// Deleting a device (or its owner) answers at once however many readings it has: its rows vanish
// from every read in the same moment, and the background purge deletes them, partition by
// partition, in bounded batches, resumable, one device's failure stopping no other
// (packages/schema/src/queries/device-purge.ts).
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestDatabase, useTestDatabase } from "@pulseboard/devstack/test";
import { spawnTs } from "@pulseboard/devstack/test/process";
import { deviceKeyDigest, devices, generateDeviceKey, user, workoutLogs } from "@pulseboard/schema";
import { createDb, createPooledClient } from "@pulseboard/schema/client";
import { MIGRATIONS_FOLDER, runMigrations } from "@pulseboard/schema/migrate";
import { backfillState } from "@pulseboard/schema/queries/backfill";
import { purgeDeletedDevices, purgedLeaves } from "@pulseboard/schema/queries/device-purge";
import { deleteDevice } from "@pulseboard/schema/queries/devices";
import { heartRateSummary } from "@pulseboard/schema/queries/heart-rate";
import { latestValues } from "@pulseboard/schema/queries/latest";
import { ensurePartitions } from "@pulseboard/schema/queries/partitions";
import { rollUpClosedDays, rollUpClosedMinutes, rollupReadings } from "@pulseboard/schema/queries/rollups";
import { getWorkout } from "@pulseboard/schema/queries/workouts";
import { eq } from "drizzle-orm";
import postgres from "postgres";
import { beforeAll, describe, expect, it } from "vitest";

const database = useTestDatabase();
const db = () => database.current.db;
const sql = () => database.current.sql;

const DAY_MS = 86_400_000;
/** The readings end here: a couple of seconds ago, whole seconds. */
let end: Date;

beforeAll(async () => {
  end = new Date(Math.floor(Date.now() / 1000) * 1000 - 2000);
  // Today's partition and the five days before it (the template has yesterday to three days ahead).
  await ensurePartitions(db(), "sensor_readings", new Date(end.getTime() - 5 * DAY_MS), end);
});

async function makeUser(name: string): Promise<string> {
  const id = crypto.randomUUID();
  await db()
    .insert(user)
    .values({ id, name, email: `${name}-${id}@example.com` });
  return id;
}

async function makeDevice(ownerId: string): Promise<string> {
  const [device] = await db()
    .insert(devices)
    .values({ ownerId, name: "sensor", deviceKey: deviceKeyDigest(generateDeviceKey()) })
    .returning({ id: devices.id });
  if (!device) throw new Error("no device");
  return device.id;
}

/**
 * `count` readings per metric of each device, one every `stepSeconds` back from `until` (`end`
 * by default), stored in time order across the devices (as the ingest interleaves them), each
 * received a second later.
 */
async function fill(deviceIds: string[], metrics: string[], count: number, stepSeconds: number, until = end) {
  await sql()`
    insert into sensor_readings (device_id, metric, value, recorded_at, received_at)
    select d, m, v, t, t + interval '1 second' from (
      select d.id as d, m.metric as m, (60 + g % 100)::numeric as v,
             ${until.toISOString()}::timestamptz - make_interval(secs => g * ${stepSeconds}::float8) as t
      from generate_series(0, ${count - 1}::int) g
      cross join unnest(${deviceIds}::uuid[]) d(id)
      cross join unnest(${metrics}::text[]) m(metric)
    ) x
    order by t`;
}

/** The device's rows in each leaf the purge deletes from (partitions newest first), by leaf. */
async function rowsByLeaf(deviceId: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const leaf of await purgedLeaves(sql())) {
    const [row] = await sql().unsafe<{ n: number }[]>(
      `select count(*)::int as n from ${leaf} where device_id = $1::uuid`,
      [deviceId],
    );
    counts.set(leaf, row?.n ?? 0);
  }
  return counts;
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  for (const began = Date.now(); !(await check()); ) {
    if (Date.now() - began > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const total = (counts: Map<string, number>) => [...counts.values()].reduce((a, b) => a + b, 0);

async function queued(): Promise<string[]> {
  const rows = await sql()<{ id: string }[]>`select device_id as id from device_purges order by device_id`;
  return rows.map((r) => r.id);
}

/** Purges (grace 0: nothing writes behind these tests' backs) until the queue is empty. */
async function purgeAll(options: { maxRows?: number; batchRows?: number } = {}) {
  const calls = [];
  for (let i = 0; i < 100; i++) {
    const result = await purgeDeletedDevices(db(), { graceSeconds: 0, ...options });
    calls.push(result);
    if (result.failed.length > 0) throw result.failed[0]?.error;
    if (result.queued === 0) return calls;
  }
  throw new Error("the purge did not finish in 100 calls");
}

describe("deleting a device with many readings", () => {
  it("answers at once, its rows vanish from every read, and the purge removes them partition by partition", async () => {
    const alice = await makeUser("alice");
    const bob = await makeUser("bob");
    const doomed = await makeDevice(alice);
    const kept = await makeDevice(bob);
    // 200,000 readings of the doomed device over five days (two metrics, every 4.32 s), and
    // 43,200 of bob's device in between, stored as the ingest would have.
    await fill([doomed], ["heart_rate", "temperature"], 100_000, 4.32);
    await fill([kept], ["temperature"], 43_200, 10);
    const [workout] = await db()
      .insert(workoutLogs)
      .values({
        userId: alice,
        performedAt: new Date(end.getTime() - 30 * 60_000),
        endedAt: new Date(end.getTime() - 5 * 60_000),
        deviceId: doomed,
        heartRateMetric: "heart_rate",
      })
      .returning({ id: workoutLogs.id });
    await rollUpClosedMinutes(db());
    await rollUpClosedDays(db());

    // Everything a page reads: charts (stored minutes with the raw tail, and raw sub-minute
    // buckets), latest values, the workout's heart rate, the device's history.
    const reads = async (ownerId: string, deviceId: string) => {
      const chart = (from: Date, bucketSeconds: number) =>
        rollupReadings(db(), {
          ownerId,
          deviceId,
          metric: "temperature",
          from,
          to: new Date(end.getTime() + 60_000),
          bucketSeconds,
        });
      return {
        stored: (await chart(new Date(end.getTime() - 5 * DAY_MS), 3600)).length,
        raw: (await chart(new Date(end.getTime() - 5 * 60_000), 10)).length,
        latest: (await latestValues(db(), ownerId)).filter((v) => v.deviceId === deviceId).length,
        heartRate: (
          await heartRateSummary(db(), {
            ownerId,
            deviceId,
            metric: "heart_rate",
            from: new Date(end.getTime() - 30 * 60_000),
            to: new Date(end.getTime() - 5 * 60_000),
            zoneMins: [95, 114, 133, 152, 171],
          })
        ).readings,
        history: (await backfillState(db(), ownerId, deviceId))?.earliestRecordedMs ?? null,
      };
    };
    const before = await reads(alice, doomed);
    expect(before.stored).toBeGreaterThan(100);
    expect(before.raw).toBeGreaterThan(0);
    expect(before.latest).toBe(2);
    expect(before.heartRate).toBeGreaterThan(300);
    expect(before.history).not.toBeNull();
    const bobBefore = await reads(bob, kept);
    const keptBefore = await rowsByLeaf(kept);
    expect((await getWorkout(db(), alice, workout?.id ?? ""))?.deviceId).toBe(doomed);

    const began = performance.now();
    expect(await deleteDevice(db(), alice, doomed)).toBe(true);
    const deleteMs = performance.now() - began;
    console.log(
      `device-purge: deleting a device with 200,000 readings answered in ${deleteMs.toFixed(1)} ms`,
    );
    expect(deleteMs).toBeLessThan(1000);

    // Gone from every read at once, while its readings are still stored.
    expect(await reads(alice, doomed)).toEqual({ stored: 0, raw: 0, latest: 0, heartRate: 0, history: null });
    expect((await getWorkout(db(), alice, workout?.id ?? ""))?.deviceId).toBeNull();
    expect(await queued()).toEqual([doomed]);
    const left = await rowsByLeaf(doomed);
    expect(total(left)).toBeGreaterThanOrEqual(200_000);
    // Its hourly roll-ups of the closed days too.
    expect(left.get("reading_rollups_1h")).toBeGreaterThan(0);
    // Day partitions holding its rows, newest first (their names sort by day).
    const partitionsHolding = [...left]
      .filter(([leaf, n]) => n > 0 && leaf.startsWith("sensor_readings_2"))
      .sort(([a], [b]) => b.localeCompare(a));
    expect(partitionsHolding.length).toBeGreaterThanOrEqual(5);

    // The first call: at most maxRows, the newest partitions first, the oldest untouched.
    const options = { maxRows: 50_000, batchRows: 5_000, graceSeconds: 0 };
    const first = await purgeDeletedDevices(db(), options);
    expect(first).toMatchObject({ rows: 50_000, finished: [], failed: [], queued: 1 });
    const afterFirst = await rowsByLeaf(doomed);
    const [newest = ""] = partitionsHolding[0] ?? [];
    const [oldest = ""] = partitionsHolding.at(-1) ?? [];
    expect(afterFirst.get(newest)).toBe(0);
    expect(afterFirst.get(oldest)).toBe(left.get(oldest));
    expect(total(afterFirst)).toBe(total(left) - 50_000);
    const rest = await purgeAll(options);
    for (const call of rest) expect(call.rows).toBeLessThanOrEqual(50_000);
    expect(first.rows + rest.reduce((sum, call) => sum + call.rows, 0)).toBe(total(left));
    expect(rest.at(-1)?.finished).toEqual([doomed]);

    expect(total(await rowsByLeaf(doomed))).toBe(0);
    expect(await queued()).toEqual([]);
    // Another owner's device: every row and every read as before.
    expect(await rowsByLeaf(kept)).toEqual(keptBefore);
    expect(await reads(bob, kept)).toEqual(bobBefore);
  });

  it("deletes at most batchRows per statement (each its own transaction) and maxRows per call", async () => {
    const owner = await makeUser("batches");
    const device = await makeDevice(owner);
    // All in one partition (yesterday afternoon), so the batches are the bound's alone.
    await fill(
      [device],
      ["t"],
      10_000,
      1,
      new Date(Math.floor(end.getTime() / DAY_MS) * DAY_MS - 10 * 3600_000),
    );
    await sql()`create table purge_batches (xid bigint not null)`;
    await sql()`
      create function record_purge_batch() returns trigger language plpgsql as $$
      begin insert into purge_batches values (txid_current()); return null; end $$`;
    await sql()`
      create trigger record_purge_batch after delete on sensor_readings
      for each row execute function record_purge_batch()`;
    try {
      await deleteDevice(db(), owner, device);
      const result = await purgeDeletedDevices(db(), { maxRows: 7_000, batchRows: 3_000, graceSeconds: 0 });
      expect(result).toMatchObject({ rows: 7_000, finished: [], failed: [], queued: 1 });
      const batches = await sql()<{ n: number }[]>`
        select count(*)::int as n from purge_batches group by xid order by min(ctid)`;
      expect(batches.map((b) => b.n)).toEqual([3_000, 3_000, 1_000]);
    } finally {
      await sql()`drop trigger record_purge_batch on sensor_readings`;
      await sql()`drop function record_purge_batch`;
      await sql()`drop table purge_batches`;
    }
    await purgeAll();
    expect(total(await rowsByLeaf(device))).toBe(0);
  });
});

describe("the purge", () => {
  it("resumes after a run killed midway: nothing left, nothing counted twice", async () => {
    const owner = await makeUser("interrupted");
    const device = await makeDevice(owner);
    // Three days' partitions; a row of the oldest day locked, so the run is caught there.
    await fill([device], ["t"], 3_000, 60);
    const initial = total(await rowsByLeaf(device));
    const locker = await sql().reserve();
    try {
      await locker`begin`;
      await locker`
        select 1 from sensor_readings where device_id = ${device}
        order by recorded_at limit 1 for update`;
      await deleteDevice(db(), owner, device);
      const purge = spawnTs("", "tests/db/purge-process.ts", {
        PATH: process.env.PATH,
        DATABASE_URL: database.current.url,
        PURGE_OPTIONS: JSON.stringify({ batchRows: 500, lockTimeoutMs: 60_000, graceSeconds: 0 }),
      });
      // Killed (SIGKILL, as a crash) while it waits in the oldest partition, the newer ones purged.
      const backend = () =>
        sql()<{ waiting: boolean }[]>`
          select wait_event_type = 'Lock' as waiting from pg_stat_activity
          where application_name = 'pb-purge-process'`;
      await until(async () => (await backend())[0]?.waiting === true, "the purge to wait on the locked row");
      purge.signal("SIGKILL");
      await purge.exited;
      await locker`rollback`;
      // Its session ends once unblocked, its last batch rolled back.
      await until(async () => (await backend()).length === 0, "the killed purge's session to end");
      const left = total(await rowsByLeaf(device));
      expect(left).toBeGreaterThan(0);
      expect(left).toBeLessThan(initial);
      expect(await queued()).toEqual([device]);

      const resumed = await purgeAll();
      expect(resumed.reduce((sum, call) => sum + call.rows, 0)).toBe(left);
      expect(resumed.at(-1)?.finished).toEqual([device]);
      expect(total(await rowsByLeaf(device))).toBe(0);
    } finally {
      await locker`rollback`.catch(() => {});
      locker.release();
    }
  });

  it("goes on past a device whose purge fails, and finishes it on a later call", async () => {
    const owner = await makeUser("failing");
    const failing = await makeDevice(owner);
    const fine = await makeDevice(owner);
    await fill([failing, fine], ["t"], 100, 1);
    const locker = await sql().reserve();
    try {
      await locker`begin`;
      await locker`select 1 from sensor_readings where device_id = ${failing} limit 1 for update`;
      // Deleted first, so it is purged first.
      await deleteDevice(db(), owner, failing);
      await deleteDevice(db(), owner, fine);
      const result = await purgeDeletedDevices(db(), { lockTimeoutMs: 200, graceSeconds: 0 });
      expect(result.failed.map((f) => [f.deviceId, (f.error as { code?: string }).code])).toEqual([
        [failing, "55P03"], // lock_timeout
      ]);
      // The other device is purged all the same (it stays queued while the locker, a writing
      // transaction older than its deletion, is open: see the grace below).
      expect(result.rows).toBe(100);
      expect(total(await rowsByLeaf(fine))).toBe(0);
      expect(total(await rowsByLeaf(failing))).toBe(100);
      await locker`rollback`;
      expect(await purgeDeletedDevices(db(), { graceSeconds: 0 })).toMatchObject({
        rows: 100,
        finished: [failing, fine],
        failed: [],
        queued: 0,
      });
      expect(total(await rowsByLeaf(failing))).toBe(0);
    } finally {
      await locker`rollback`.catch(() => {});
      locker.release();
    }
  });

  it("finishes a device only once no transaction from before its deletion is open, and takes what one wrote late", async () => {
    const owner = await makeUser("grace");
    const device = await makeDevice(owner);
    await fill([device], ["t"], 50, 1);
    // A writer that began before the deletion (an ingest flush that checked the device while it
    // still existed) and stores one of its readings after it.
    const writer = await sql().reserve();
    try {
      await writer`begin`;
      await writer`select txid_current()`;
      await deleteDevice(db(), owner, device);
      await writer`
        insert into sensor_readings (device_id, metric, value, recorded_at)
        values (${device}, 't', 1, ${new Date(end.getTime() + 500).toISOString()}::timestamptz)`;
      const during = await purgeDeletedDevices(db(), { graceSeconds: 0 });
      expect(during).toMatchObject({ rows: 50, finished: [], failed: [] });
      await writer`commit`;
      const after = await purgeDeletedDevices(db(), { graceSeconds: 0 });
      expect(after).toMatchObject({ rows: 1, finished: [device], failed: [] });
      expect(total(await rowsByLeaf(device))).toBe(0);
    } finally {
      await writer`rollback`.catch(() => {});
      writer.release();
    }

    // The default grace: a device deleted a moment ago is purged but stays queued for a minute.
    const recent = await makeDevice(owner);
    await fill([recent], ["t"], 10, 1);
    await deleteDevice(db(), owner, recent);
    expect(await purgeDeletedDevices(db())).toMatchObject({ rows: 10, finished: [], queued: 1 });
    await sql()`update device_purges set deleted_at = deleted_at - interval '61 seconds' where device_id = ${recent}`;
    expect(await purgeDeletedDevices(db())).toMatchObject({ rows: 0, finished: [recent], queued: 0 });
  });
});

describe("deleting a user", () => {
  it("queues every device of theirs (the cascade goes through the trigger), and only theirs", async () => {
    const doomed = await makeUser("doomed");
    const other = await makeUser("other");
    const theirs = [await makeDevice(doomed), await makeDevice(doomed), await makeDevice(doomed)];
    const others = await makeDevice(other);
    await fill([...theirs, others], ["t", "u"], 500, 2);
    const othersBefore = await rowsByLeaf(others);

    await db().delete(user).where(eq(user.id, doomed));

    expect(await queued()).toEqual([...theirs].sort());
    expect(await latestValues(db(), doomed)).toEqual([]);
    for (const id of theirs) expect(total(await rowsByLeaf(id))).toBe(1000); // until purged
    await purgeAll({ batchRows: 300 });
    for (const id of theirs) expect(total(await rowsByLeaf(id))).toBe(0);
    expect(await rowsByLeaf(others)).toEqual(othersBefore);
    expect((await latestValues(db(), other)).map((v) => v.metric)).toEqual(["t", "u"]);
  });
});

/** The migrations folder as it was up to `tag` (the journal cut after it), in a temporary folder. */
function migrationsUpTo(tag: string): { folder: string; remove: () => void } {
  const folder = mkdtempSync(join(tmpdir(), "pulseboard-migrations-"));
  cpSync(MIGRATIONS_FOLDER, folder, { recursive: true });
  const journalPath = join(folder, "meta", "_journal.json");
  const journal = JSON.parse(readFileSync(journalPath, "utf8")) as { entries: { tag: string }[] };
  const upTo = journal.entries.findIndex((e) => e.tag === tag);
  if (upTo < 0) throw new Error(`no migration ${tag}`);
  writeFileSync(journalPath, JSON.stringify({ ...journal, entries: journal.entries.slice(0, upTo + 1) }));
  return { folder, remove: () => rmSync(folder, { recursive: true, force: true }) };
}

describe("an upgraded database", () => {
  it("purges readings not moved yet from the legacy table too (its cascade is gone)", async () => {
    const target = await createTestDatabase({ empty: true });
    const before = migrationsUpTo("0008_webhook_test_rate_limit");
    const direct = postgres(target.directUrl, { max: 1, onnotice: () => {} });
    try {
      await runMigrations(target.directUrl, before.folder);
      const ids = await direct<{ id: string; owner: string }[]>`
        with owner as (insert into "user" (id, name, email) values ('o1', 'owner', 'o1@example.com') returning id)
        insert into devices (owner_id, name, device_key)
        select id, 'd' || g, repeat(g::text, 64) from owner, generate_series(1, 2) g
        returning id, owner_id as owner`;
      const [doomed = "", kept = ""] = ids.map((d) => d.id);
      await direct`
        insert into sensor_readings (device_id, metric, value, recorded_at)
        select d, 't', g, timestamptz '2025-01-01' + make_interval(mins => g)
        from generate_series(1, 2000) g, unnest(${[doomed, kept]}::uuid[]) d`;
      await runMigrations(target.directUrl);
      const [fk] = await direct<{ n: number }[]>`
        select count(*)::int as n from pg_constraint where conrelid = 'sensor_readings_legacy'::regclass and contype = 'f'`;
      expect(fk?.n).toBe(0);

      const legacyRows = async (id: string) =>
        (
          await direct<
            { n: number }[]
          >`select count(*)::int as n from sensor_readings_legacy where device_id = ${id}`
        )[0]?.n;
      await direct`delete from devices where id = ${doomed}`;
      expect(await legacyRows(doomed)).toBe(2000);
      const upgraded = createDb(createPooledClient(target.url, { max: 1 }));
      try {
        expect(await purgeDeletedDevices(upgraded, { graceSeconds: 0, batchRows: 700 })).toMatchObject({
          rows: 2000,
          finished: [doomed],
          queued: 0,
        });
      } finally {
        await upgraded.$client.end({ timeout: 5 });
      }
      expect(await legacyRows(doomed)).toBe(0);
      expect(await legacyRows(kept)).toBe(2000);
    } finally {
      await direct.end({ timeout: 5 });
      before.remove();
      await target.drop();
    }
  });
});

// Last in this file: it empties the database.
describe("truncating", () => {
  it("TRUNCATE of users (cascading to devices) queues every device, and the purge removes their rows", async () => {
    const owner = await makeUser("truncated");
    const ids = [await makeDevice(owner), await makeDevice(owner)];
    await fill(ids, ["t"], 300, 2);
    const all = (await sql()<{ id: string }[]>`select id from devices`).map((d) => d.id);
    expect(all).toEqual(expect.arrayContaining(ids));

    await sql().unsafe(`truncate "user" cascade`);

    expect(await queued()).toEqual(expect.arrayContaining([...all].sort()));
    await purgeAll({ batchRows: 500 });
    for (const id of ids) expect(total(await rowsByLeaf(id))).toBe(0);
    const [left] = await sql()<{ n: number }[]>`select count(*)::int as n from sensor_readings`;
    expect(left?.n).toBe(0);
  });
});
