// One sweep at a time across alerter instances: a sweep takes the `sweep` lease (a row with an
// expiry, through the pooled endpoint) or does nothing; a lease left by a dead sweep is taken
// over once it expires; the lease is given up when the sweep ends.
import { useTestDatabase } from "@pulseboard/devstack/test";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SWEEP_LEASE } from "../src/sweep";
import { type RunningAlerter, setupRule, startAlerter } from "./harness";

const database = useTestDatabase();
let a: RunningAlerter;
let b: RunningAlerter;

beforeAll(async () => {
  [a, b] = await Promise.all([startAlerter(database.current.url), startAlerter(database.current.url)]);
});

afterAll(async () => {
  await Promise.all([a?.close(), b?.close()]);
});

/** A device whose rule breaches now (avg 40 > 30 over the last minute). */
async function breachingDevice() {
  const rule = await setupRule(database.current.db, { threshold: 30, windowSeconds: 60 });
  await database.current.sql`
    insert into sensor_readings (device_id, metric, value, recorded_at)
    values (${rule.deviceId}, 'temperature', 40, now() - interval '5 seconds')`;
  return rule;
}

const firing = async (ruleId: string) =>
  (
    await database.current.sql<{ n: number }[]>`
      select count(*)::int as n from alerts where rule_id = ${ruleId} and status = 'firing'`
  )[0]?.n;

const leaseRows = () =>
  database.current.sql<{ holder: string }[]>`select holder from leases where name = ${SWEEP_LEASE}`;

describe("one sweep at a time", () => {
  it("does nothing while another holds the lease, and takes it over once it expired", async () => {
    const { ruleId } = await breachingDevice();
    await database.current.sql`
      insert into leases (name, holder, expires_at) values (${SWEEP_LEASE}, 'a dead alerter', now() + interval '1 minute')`;
    expect(await a.app.sweep()).toEqual({ transitions: 0, redelivered: 0, skipped: true });
    expect(await firing(ruleId)).toBe(0);
    expect((await a.app.renderMetrics?.())?.text).toMatch(/alerter_sweeps_skipped_total 1/);

    // The holder died: its lease runs out, and the next sweep runs.
    await database.current
      .sql`update leases set expires_at = now() - interval '1 second' where name = ${SWEEP_LEASE}`;
    const swept = await a.app.sweep();
    expect(swept.skipped).toBeUndefined();
    expect(await firing(ruleId)).toBe(1);
    // Given up at the end: the next sweep, on either instance, runs at once.
    expect(await leaseRows()).toEqual([]);
    expect((await b.app.sweep()).skipped).toBeUndefined();
  });

  it("two alerters sweeping at the same time: the second does nothing while the first runs", async () => {
    // Hold the first sweep at its first statement: a device it must mark offline, row-locked.
    const { deviceId } = await setupRule(database.current.db);
    await database.current.sql`
      update devices set status = 'online', last_seen_at = now() - interval '1 day' where id = ${deviceId}`;
    const blocker = postgres(database.current.directUrl, { max: 1, onnotice: () => {} });
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let locked = () => {};
    const isLocked = new Promise<void>((resolve) => {
      locked = resolve;
    });
    const holding = blocker.begin(async (tx) => {
      await tx`select 1 from devices where id = ${deviceId} for update`;
      locked();
      await held;
    });
    try {
      await isLocked;
      const first = a.app.sweep();
      // The first has the lease once its row shows.
      for (let i = 0; i < 100 && (await leaseRows()).length === 0; i++)
        await new Promise((r) => setTimeout(r, 20));
      expect(await leaseRows()).toHaveLength(1);
      expect(await b.app.sweep()).toEqual({ transitions: 0, redelivered: 0, skipped: true });
      // The same instance's next sweep (a timer firing while one runs) is held off too.
      expect((await a.app.sweep()).skipped).toBe(true);
      release();
      await holding;
      expect((await first).skipped).toBeUndefined();
    } finally {
      release();
      await blocker.end({ timeout: 5 });
    }
    expect(await leaseRows()).toEqual([]);
  });
});
