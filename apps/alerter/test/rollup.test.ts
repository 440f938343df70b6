// The sweep rolls up the minutes that closed (then the hours of closed days) before it evaluates
// the rules, and evaluates them even when the roll-up fails.
import { useTestDatabase } from "@pulseboard/devstack/test";
import { alerts } from "@pulseboard/schema";
import { eq } from "drizzle-orm";
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

async function storedReadings(deviceId: string) {
  const [row] = await database.current.sql<{ n: number }[]>`
    select coalesce(sum(count), 0)::int as n from reading_rollups_1m where device_id = ${deviceId}`;
  return row?.n;
}

describe("sweep and rollups", () => {
  it("rolls up the closed minutes alongside the rules and logs what it did", async () => {
    const { deviceId } = await setupRule(database.current.db);
    // Ten readings of a minute that closed five minutes ago, stored as it happened.
    await database.current.sql`
      insert into sensor_readings (device_id, metric, value, recorded_at, received_at)
      select ${deviceId}::uuid, 'temperature', g, m + make_interval(secs => g * 5), m + make_interval(secs => g * 5 + 1)
      from generate_series(0, 9) g, (select date_trunc('minute', now()) - interval '6 minutes' as m) x`;
    expect(await storedReadings(deviceId)).toBe(0);
    await alerter.app.sweep();
    expect(await storedReadings(deviceId)).toBe(10);
    expect(alerter.logs).toContainEqual(
      expect.objectContaining({ module: "rollup", msg: "readings rolled up", readings: 10, rows: 1 }),
    );
    await alerter.app.sweep(); // nothing new: nothing counted twice
    expect(await storedReadings(deviceId)).toBe(10);
  });

  it("then rolls up the minutes of closed days into hours", async () => {
    const { deviceId } = await setupRule(database.current.db);
    // As if the last sweep ran 100 s ago: six readings of a day that ended arrived since (a device
    // uploading what it buffered), more than a minute ago, so this sweep rolls them up.
    await database.current.sql`
      update rollup_watermarks set cutoff = now() - interval '100 seconds' where name = 'reading_rollups_1m'`;
    await database.current.sql`
      insert into sensor_readings (device_id, metric, value, recorded_at, received_at)
      select ${deviceId}::uuid, 'temperature', g, date_bin('1 day', now(), timestamptz '1970-01-01 00:00:00+00') - interval '24 hours' + make_interval(hours => g),
             now() - interval '90 seconds'
      from generate_series(0, 5) g`;
    await alerter.app.sweep();
    const [hours] = await database.current.sql<{ rows: number; n: number }[]>`
      select count(*)::int as rows, coalesce(sum(count), 0)::int as n
      from reading_rollups_1h where device_id = ${deviceId}`;
    expect(hours).toEqual({ rows: 6, n: 6 });
    expect(alerter.logs).toContainEqual(
      expect.objectContaining({ module: "rollup", msg: "minutes rolled up to hours", readings: 6, rows: 6 }),
    );
  });

  it("evaluates the rules when the roll-up fails", async () => {
    const { deviceId, ruleId } = await setupRule(database.current.db);
    await database.current.sql`
      insert into sensor_readings (device_id, metric, value, recorded_at)
      values (${deviceId}, 'temperature', 99, now() - interval '1 second')`;
    await database.current.sql`alter table reading_rollups_1m rename to reading_rollups_1m_away`;
    try {
      expect((await alerter.app.sweep()).transitions).toBeGreaterThanOrEqual(1);
    } finally {
      await database.current.sql`alter table reading_rollups_1m_away rename to reading_rollups_1m`;
    }
    const firing = await database.current.db.select().from(alerts).where(eq(alerts.ruleId, ruleId));
    expect(firing.map((a) => a.status)).toEqual(["firing"]);
    expect(alerter.logs).toContainEqual(
      expect.objectContaining({ module: "rollup", msg: "roll-up failed; the rules were evaluated anyway" }),
    );
  });
});
