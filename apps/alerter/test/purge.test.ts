// Each sweep purges a bounded share of deleted devices' rows after its roll-up, logs and counts
// what it did, and a failing purge stops nothing else.
import { useTestDatabase } from "@pulseboard/devstack/test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningAlerter, setupRule, startAlerter } from "./harness";

const database = useTestDatabase();
let alerter: RunningAlerter;

beforeAll(async () => {
  alerter = await startAlerter(database.current.url);
});

afterAll(async () => {
  await alerter?.close();
});

const readings = async (deviceId: string) =>
  (
    await database.current.sql<{ n: number }[]>`
      select count(*)::int as n from sensor_readings where device_id = ${deviceId}`
  )[0]?.n;

const counter = async (name: "purgedRows" | "purgeFailures") =>
  (await alerter.app.metrics[name].get()).values[0]?.value ?? 0;

describe("sweep and purge", () => {
  it("purges a deleted device's readings, logs and counts them; the device stays queued for its grace", async () => {
    const { deviceId } = await setupRule(database.current.db);
    const kept = await setupRule(database.current.db);
    // Two minutes' readings of each device, every second, stored as they happened.
    for (const id of [deviceId, kept.deviceId])
      await database.current.sql`
        insert into sensor_readings (device_id, metric, value, recorded_at, received_at)
        select ${id}::uuid, 'temperature', 20, t, t + interval '1 second'
        from generate_series(1, 120) g, lateral (select now() - interval '5 minutes' + make_interval(secs => g) as t) x`;
    await alerter.app.sweep(); // rolls them up
    // Its minute roll-ups go with its readings (no foreign key: the purge deletes them too).
    const [minutes] = await database.current.sql<{ n: number }[]>`
      select count(*)::int as n from reading_rollups_1m where device_id = ${deviceId}`;
    expect(minutes?.n).toBeGreaterThan(0);
    const rows = 120 + (minutes?.n ?? 0);
    await database.current.sql`delete from devices where id = ${deviceId}`;
    const before = await counter("purgedRows");

    await alerter.app.sweep();

    expect(await readings(deviceId)).toBe(0);
    expect(await readings(kept.deviceId)).toBe(120);
    expect((await counter("purgedRows")) - before).toBe(rows);
    expect(alerter.logs).toContainEqual(
      expect.objectContaining({
        module: "purge",
        msg: "deleted devices purged",
        rows,
        finished: 0,
        queued: 1,
      }),
    );
    // Within a minute of its deletion a device is not finished (a flush that began before it
    // may still commit a reading of it); once past, the next sweep finishes it.
    await database.current.sql`update device_purges set deleted_at = deleted_at - interval '2 minutes'`;
    await alerter.app.sweep();
    expect(alerter.logs).toContainEqual(
      expect.objectContaining({
        module: "purge",
        msg: "deleted devices purged",
        rows: 0,
        finished: 1,
        queued: 0,
      }),
    );
  });

  it("evaluates the rules when the purge fails, and counts the failure", async () => {
    const { deviceId } = await setupRule(database.current.db);
    await database.current.sql`
      insert into sensor_readings (device_id, metric, value, recorded_at)
      values (${deviceId}, 'temperature', 1, now() - interval '1 second')`;
    const live = await setupRule(database.current.db);
    await database.current.sql`
      insert into sensor_readings (device_id, metric, value, recorded_at)
      values (${live.deviceId}, 'temperature', 99, now() - interval '1 second')`;
    await database.current.sql`delete from devices where id = ${deviceId}`;
    const failures = await counter("purgeFailures");
    // A reading of the deleted device locked elsewhere: its purge waits, times out, fails.
    const locker = await database.current.sql.reserve();
    try {
      await locker`begin`;
      await locker`select 1 from sensor_readings where device_id = ${deviceId} for update`;
      expect((await alerter.app.sweep()).transitions).toBeGreaterThanOrEqual(1);
    } finally {
      await locker`rollback`.catch(() => {});
      locker.release();
    }
    expect((await counter("purgeFailures")) - failures).toBe(1);
    expect(alerter.logs).toContainEqual(
      expect.objectContaining({
        module: "purge",
        deviceId,
        msg: "purge of a deleted device failed; the next sweep tries again",
      }),
    );
    await alerter.app.sweep();
    expect(await readings(deviceId)).toBe(0);
  });
});
