// The seeds' constraints and our extensions, exercised against the live database.
import { useTestDatabase } from "@pulseboard/devstack/test";
import {
  account,
  alertRules,
  alerts,
  deviceKeyDigest,
  devicePurges,
  devices,
  exercises,
  generateDeviceKey,
  logSets,
  sensorReadings,
  session,
  user,
  workoutLogs,
  workoutPlans,
} from "@pulseboard/schema";
import { purgeDeletedDevices } from "@pulseboard/schema/queries/device-purge";
import { count, eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";

const database = useTestDatabase();
const db = () => database.current.db;

/** Resolves to the PostgreSQL error (code and constraint) a statement fails with. */
async function pgError(statement: PromiseLike<unknown>): Promise<{ code: string; constraint?: string }> {
  try {
    await statement;
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause ?? error;
    const { code, constraint_name } = cause as { code: string; constraint_name?: string };
    return { code, ...(constraint_name ? { constraint: constraint_name } : {}) };
  }
  throw new Error("expected the statement to fail");
}

const CHECK_VIOLATION = "23514";
const UNIQUE_VIOLATION = "23505";
const FK_VIOLATION = "23503";

async function makeUser(name: string) {
  const id = crypto.randomUUID();
  await db()
    .insert(user)
    .values({ id, name, email: `${name}-${id}@example.com` });
  return id;
}

async function makeDevice(ownerId: string, name = "sensor") {
  const [device] = await db()
    .insert(devices)
    .values({ ownerId, name, deviceKey: deviceKeyDigest(generateDeviceKey()) })
    .returning();
  if (!device) throw new Error("no device");
  return device;
}

async function makeRule(deviceId: string) {
  const [rule] = await db()
    .insert(alertRules)
    .values({ deviceId, metric: "temperature", comparator: "gt", threshold: 30 })
    .returning();
  if (!rule) throw new Error("no rule");
  return rule;
}

/**
 * The rule's condition and severity, which an alert keeps (the trigger copies them when an insert
 * leaves them out).
 */
function condition(rule: Awaited<ReturnType<typeof makeRule>>) {
  const { metric, comparator, threshold, aggregate, windowSeconds, severity } = rule;
  return { metric, comparator, threshold, aggregate, windowSeconds, severity };
}

let ownerId: string;
beforeAll(async () => {
  ownerId = await makeUser("owner");
});

describe("devices", () => {
  it("default to offline; status is online or offline only", async () => {
    const device = await makeDevice(ownerId);
    expect(device.status).toBe("offline");
    expect(device.lastSeenAt).toBeNull();
    await db()
      .update(devices)
      .set({ status: "online", lastSeenAt: new Date() })
      .where(eq(devices.id, device.id));
    expect(
      await pgError(db().execute(sql`update devices set status = 'broken' where id = ${device.id}`)),
    ).toEqual({ code: CHECK_VIOLATION, constraint: "devices_status_check" });
  });

  it("a device key (its digest) is unique", async () => {
    const digest = deviceKeyDigest(generateDeviceKey());
    await db().insert(devices).values({ ownerId, name: "a", deviceKey: digest });
    expect(await pgError(db().insert(devices).values({ ownerId, name: "b", deviceKey: digest }))).toEqual({
      code: UNIQUE_VIOLATION,
      constraint: "devices_device_key_unique",
    });
  });

  it("only a SHA-256 digest can be stored, never a raw key", async () => {
    expect(
      await pgError(db().insert(devices).values({ ownerId, name: "raw", deviceKey: generateDeviceKey() })),
    ).toEqual({
      code: CHECK_VIOLATION,
      constraint: "devices_device_key_digest_check",
    });
  });

  it("belong to an existing user", async () => {
    expect(
      await pgError(
        db()
          .insert(devices)
          .values({ ownerId: "nobody", name: "x", deviceKey: deviceKeyDigest("x") }),
      ),
    ).toMatchObject({ code: FK_VIOLATION });
  });
});

describe("sensor readings", () => {
  it("a re-delivered reading (device, metric, timestamp) is stored once", async () => {
    const device = await makeDevice(ownerId);
    const at = new Date("2026-11-22T10:00:00Z");
    const reading = { deviceId: device.id, metric: "temperature", value: 21.5, recordedAt: at };
    await db().insert(sensorReadings).values(reading).onConflictDoNothing();
    const again = await db()
      .insert(sensorReadings)
      .values([reading, { ...reading, value: 99 }, { ...reading, metric: "humidity", value: 40 }])
      .onConflictDoNothing()
      .returning();
    expect(again.map((r) => r.metric)).toEqual(["humidity"]);
    const stored = await db().select().from(sensorReadings).where(eq(sensorReadings.deviceId, device.id));
    expect(stored.map((r) => [r.metric, r.value])).toEqual(
      expect.arrayContaining([
        ["temperature", 21.5],
        ["humidity", 40],
      ]),
    );
    expect(stored).toHaveLength(2);
    // The primary key, enforced in the reading's day partition.
    expect(await pgError(db().insert(sensorReadings).values(reading))).toEqual({
      code: UNIQUE_VIOLATION,
      constraint: expect.stringMatching(/^sensor_readings_\d{8}_pkey$/),
    });
  });

  it("numeric values come back as numbers", async () => {
    const device = await makeDevice(ownerId);
    await db()
      .insert(sensorReadings)
      .values({ deviceId: device.id, metric: "v", value: 0.1, recordedAt: new Date() });
    const [row] = await db()
      .select({ value: sensorReadings.value })
      .from(sensorReadings)
      .where(eq(sensorReadings.deviceId, device.id));
    expect(row?.value).toBe(0.1);
    expect(typeof row?.value).toBe("number");
  });

  it("the rollup query (device, metric, time range) reads only its days' partitions, over the primary key", async () => {
    const device = await makeDevice(ownerId);
    await db().execute(sql`
      insert into sensor_readings (device_id, metric, value, recorded_at)
      select ${device.id}::uuid, m, g, date_trunc('day', now()) - interval '12 hours' - make_interval(secs => g)
      from generate_series(1, 2000) g, unnest(array['a','b','c']) m`);
    await db().execute(sql`analyze sensor_readings`);
    const plan = await db().execute<{ "QUERY PLAN": string }>(sql`
      explain select date_bin('1 minute', recorded_at, timestamptz 'epoch') b, min(value), avg(value), max(value), count(*)
      from sensor_readings
      where device_id = ${device.id}::uuid and metric = 'b'
        and recorded_at >= date_trunc('day', now()) - interval '12 hours 10 minutes'
        and recorded_at < date_trunc('day', now()) - interval '12 hours'
      group by b`);
    const text = plan.map((r) => r["QUERY PLAN"]).join("\n");
    expect(text).toMatch(/Index Scan on sensor_readings_\d{8}_pkey/);
    // Yesterday's noon, not the last minutes: just after midnight those would span a partition of
    // a few rows, which the planner rightly scans whole. The test database has partitions for
    // months of days; ten minutes touch one or two.
    expect(text.match(/ on sensor_readings_\d{8} /g)?.length ?? 0).toBeLessThanOrEqual(2);
  });
});

describe("alert rules and alerts", () => {
  it("comparator is gt, lt, gte or lte; aggregate and window are bounded", async () => {
    const device = await makeDevice(ownerId);
    const rule = await makeRule(device.id);
    expect(rule).toMatchObject({ windowSeconds: 60, aggregate: "avg", threshold: 30 });
    expect(
      await pgError(
        db().execute(
          sql`insert into alert_rules (device_id, metric, comparator, threshold) values (${device.id}, 't', 'eq', 1)`,
        ),
      ),
    ).toEqual({ code: CHECK_VIOLATION, constraint: "alert_rules_comparator_check" });
    expect(
      await pgError(db().execute(sql`update alert_rules set aggregate = 'sum' where id = ${rule.id}`)),
    ).toEqual({ code: CHECK_VIOLATION, constraint: "alert_rules_aggregate_check" });
    expect(
      await pgError(db().execute(sql`update alert_rules set window_seconds = 0 where id = ${rule.id}`)),
    ).toEqual({ code: CHECK_VIOLATION, constraint: "alert_rules_window_check" });
  });

  it("at most one firing alert per rule; resolved ones accumulate", async () => {
    const device = await makeDevice(ownerId);
    const rule = await makeRule(device.id);
    const [first] = await db()
      .insert(alerts)
      .values({ ...condition(rule), ruleId: rule.id, deviceId: device.id })
      .returning();
    expect(first?.status).toBe("firing");
    expect(
      await pgError(
        db()
          .insert(alerts)
          .values({ ...condition(rule), ruleId: rule.id, deviceId: device.id }),
      ),
    ).toEqual({
      code: UNIQUE_VIOLATION,
      constraint: "uniq_alert_firing_per_rule",
    });
    // The evaluator's open: insert ... on conflict do nothing against the partial index.
    const none =
      await db().execute(sql`insert into alerts (rule_id, device_id) values (${rule.id}, ${device.id})
                   on conflict (rule_id) where status = 'firing' do nothing returning id`);
    expect(none).toHaveLength(0);

    await db()
      .update(alerts)
      .set({ status: "resolved", resolvedAt: new Date() })
      .where(eq(alerts.id, first?.id ?? ""));
    await db()
      .insert(alerts)
      .values({ ...condition(rule), ruleId: rule.id, deviceId: device.id });
    const rows = await db().select({ status: alerts.status }).from(alerts).where(eq(alerts.ruleId, rule.id));
    expect(rows.map((r) => r.status).sort()).toEqual(["firing", "resolved"]);
  });

  it("an alert keeps the rule's condition it fired on, whatever the rule becomes", async () => {
    const device = await makeDevice(ownerId);
    const rule = await makeRule(device.id);
    // Inserted without the condition, as the alerter does: the trigger copies the rule's.
    const [opened] = await db().execute<{ id: string }>(
      sql`insert into alerts (rule_id, device_id) values (${rule.id}, ${device.id}) returning id`,
    );
    await db().execute(
      sql`update alert_rules set metric = 'humidity', threshold = 80, comparator = 'lt', aggregate = 'max', window_seconds = 600 where id = ${rule.id}`,
    );
    const [kept] = await db()
      .select({
        metric: alerts.metric,
        comparator: alerts.comparator,
        threshold: alerts.threshold,
        aggregate: alerts.aggregate,
        windowSeconds: alerts.windowSeconds,
      })
      .from(alerts)
      .where(eq(alerts.id, opened?.id ?? ""));
    expect(kept).toEqual({
      metric: "temperature",
      comparator: "gt",
      threshold: 30,
      aggregate: "avg",
      windowSeconds: 60,
    });
  });

  it("status is firing or resolved, and resolved_at goes with resolved", async () => {
    const device = await makeDevice(ownerId);
    const rule = await makeRule(device.id);
    expect(
      await pgError(
        db().execute(
          sql`insert into alerts (rule_id, device_id, status) values (${rule.id}, ${device.id}, 'acked')`,
        ),
      ),
    ).toEqual({ code: CHECK_VIOLATION, constraint: "alerts_status_check" });
    expect(
      await pgError(
        db()
          .insert(alerts)
          .values({ ...condition(rule), ruleId: rule.id, deviceId: device.id, status: "resolved" }),
      ),
    ).toEqual({ code: CHECK_VIOLATION, constraint: "alerts_resolved_at_check" });
  });

  it("deleting a device removes its rules and alerts, and queues its readings for the purge", async () => {
    const device = await makeDevice(ownerId);
    const rule = await makeRule(device.id);
    await db()
      .insert(alerts)
      .values({ ...condition(rule), ruleId: rule.id, deviceId: device.id });
    await db()
      .insert(sensorReadings)
      .values({ deviceId: device.id, metric: "t", value: 1, recordedAt: new Date() });
    await db().delete(devices).where(eq(devices.id, device.id));
    const left = await db().execute<{ n: number }>(sql`
      select (select count(*) from alert_rules where device_id = ${device.id})
           + (select count(*) from alerts where device_id = ${device.id}) as n`);
    expect(Number(left[0]?.n)).toBe(0);
    // Readings have no foreign key (a cascade through millions would hold the deletion): the
    // trigger queues the device, the background purge deletes them (tests/db/device-purge.test.ts).
    expect(await db().select({ id: devicePurges.deviceId }).from(devicePurges)).toContainEqual({
      id: device.id,
    });
    await purgeDeletedDevices(db(), { graceSeconds: 0 });
    expect(await db().select().from(sensorReadings).where(eq(sensorReadings.deviceId, device.id))).toEqual(
      [],
    );
  });
});

describe("fitness", () => {
  it("exercise names are unique across the shared catalog", async () => {
    await db().insert(exercises).values({ name: "Zercher Squat", muscleGroup: "legs" });
    expect(await pgError(db().insert(exercises).values({ name: "Zercher Squat" }))).toEqual({
      code: UNIQUE_VIOLATION,
      constraint: "exercises_name_unique",
    });
  });

  it("deleting a plan keeps its logs, with plan_id set null", async () => {
    const [plan] = await db().insert(workoutPlans).values({ ownerId, name: "5x5" }).returning();
    const [log] = await db()
      .insert(workoutLogs)
      .values({ userId: ownerId, planId: plan?.id, performedAt: new Date() })
      .returning();
    await db()
      .delete(workoutPlans)
      .where(eq(workoutPlans.id, plan?.id ?? ""));
    const [kept] = await db()
      .select()
      .from(workoutLogs)
      .where(eq(workoutLogs.id, log?.id ?? ""));
    expect(kept).toMatchObject({ id: log?.id, planId: null });
  });

  it("deleting a log removes its sets; a set needs an existing exercise", async () => {
    const [exercise] = await db()
      .insert(exercises)
      .values({ name: `Test Press ${crypto.randomUUID()}` })
      .returning();
    const [log] = await db()
      .insert(workoutLogs)
      .values({ userId: ownerId, performedAt: new Date() })
      .returning();
    const logId = log?.id ?? "";
    await db()
      .insert(logSets)
      .values({ logId, exerciseId: exercise?.id ?? "", setNumber: 1, reps: 5, weightKg: 62.5 });
    const [set] = await db().select().from(logSets).where(eq(logSets.logId, logId));
    expect(set?.weightKg).toBe(62.5);
    expect(
      await pgError(
        db().insert(logSets).values({ logId, exerciseId: crypto.randomUUID(), setNumber: 2, reps: 5 }),
      ),
    ).toMatchObject({ code: FK_VIOLATION });
    await db().delete(workoutLogs).where(eq(workoutLogs.id, logId));
    expect(await db().select().from(logSets).where(eq(logSets.logId, logId))).toEqual([]);
  });
});

describe("deleting a user", () => {
  it("removes their sessions, accounts, devices (and readings), plans, logs and sets, but not the shared catalog", async () => {
    const doomed = await makeUser("doomed");
    const other = await makeUser("other");
    await db()
      .insert(session)
      .values({
        id: crypto.randomUUID(),
        userId: doomed,
        token: crypto.randomUUID(),
        expiresAt: new Date(Date.now() + 60_000),
      });
    await db()
      .insert(account)
      .values({ id: crypto.randomUUID(), userId: doomed, accountId: doomed, providerId: "credential" });
    const device = await makeDevice(doomed);
    await db()
      .insert(sensorReadings)
      .values({ deviceId: device.id, metric: "t", value: 1, recordedAt: new Date() });
    await makeRule(device.id);
    const otherDevice = await makeDevice(other);
    const [exercise] = await db()
      .insert(exercises)
      .values({ name: `Catalog ${crypto.randomUUID()}` })
      .returning();
    const [plan] = await db().insert(workoutPlans).values({ ownerId: doomed, name: "plan" }).returning();
    const [log] = await db()
      .insert(workoutLogs)
      .values({ userId: doomed, planId: plan?.id, performedAt: new Date() })
      .returning();
    await db()
      .insert(logSets)
      .values({ logId: log?.id ?? "", exerciseId: exercise?.id ?? "", setNumber: 1, reps: 10 });
    const catalogBefore = await db().select({ n: count() }).from(exercises);

    await db().delete(user).where(eq(user.id, doomed));
    // The device's readings go with the background purge (tests/db/device-purge.test.ts).
    await purgeDeletedDevices(db(), { graceSeconds: 0 });

    const remaining = await db().execute<Record<string, string>>(sql`
      select
        (select count(*) from session where user_id = ${doomed}) as sessions,
        (select count(*) from account where user_id = ${doomed}) as accounts,
        (select count(*) from devices where owner_id = ${doomed}) as devices,
        (select count(*) from sensor_readings where device_id = ${device.id}) as readings,
        (select count(*) from alert_rules where device_id = ${device.id}) as rules,
        (select count(*) from workout_plans where owner_id = ${doomed}) as plans,
        (select count(*) from workout_logs where user_id = ${doomed}) as logs,
        (select count(*) from log_sets where log_id = ${log?.id}) as sets`);
    expect(Object.values(remaining[0] ?? {}).map(Number)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(await db().select({ n: count() }).from(exercises)).toEqual(catalogBefore);
    expect(
      await db().select({ id: devices.id }).from(devices).where(eq(devices.id, otherDevice.id)),
    ).toHaveLength(1);
  });
});
