// Evaluation against the real readings table: windows, aggregates, transitions written once.
import { useTestDatabase } from "@pulseboard/devstack/test";
import { alertDeliveries, alertEvents, alerts, devices, sensorReadings } from "@pulseboard/schema";
import { loadRuleStates } from "@pulseboard/schema/queries/alert-evaluation";
import { markDevicesOfflineOrOnlineBySilence } from "@pulseboard/schema/queries/device-liveness";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { evaluateDevices } from "../src/evaluate";
import { setupRule } from "./harness";

const database = useTestDatabase();
const db = () => database.current.db;
const now = new Date("2026-11-22T12:00:00.000Z");
const secondsAgo = (s: number) => new Date(now.getTime() - s * 1000);

async function readings(
  deviceId: string,
  points: [secondsAgo: number, value: number][],
  metric = "temperature",
) {
  await db()
    .insert(sensorReadings)
    .values(points.map(([s, value]) => ({ deviceId, metric, value, recordedAt: secondsAgo(s) })));
}

async function alertRows(ruleId: string) {
  return db().select().from(alerts).where(eq(alerts.ruleId, ruleId));
}

describe("window aggregates", () => {
  it("each aggregate over the window; the window includes its start and excludes what is older", async () => {
    const { deviceId } = await setupRule(db());
    // 60 s window ending now: 60 s ago is in, 61 s ago is out, other metrics are out.
    await readings(deviceId, [
      [61, 1000],
      [60, 10],
      [30, 40],
      [5, 25],
    ]);
    await readings(deviceId, [[1, 500]], "humidity");
    const cases = { avg: 25, min: 10, max: 40, last: 25, count: 3 } as const;
    for (const [aggregate, expected] of Object.entries(cases)) {
      const { deviceId: d } = await setupRule(db(), { aggregate: aggregate as keyof typeof cases });
      await readings(d, [
        [61, 1000],
        [60, 10],
        [30, 40],
        [5, 25],
      ]);
      const [state] = await loadRuleStates(db(), [d], now);
      expect(state?.value, aggregate).toBe(expected);
    }
    // A reading in the future of `now` (a late clock) is not in this window either.
    await readings(deviceId, [[-1, 9999]]);
    const [state] = await loadRuleStates(db(), [deviceId], now);
    expect(state?.value).toBe(25);
  });

  it("an empty window: null for value aggregates, 0 for count", async () => {
    const avg = await setupRule(db(), { aggregate: "avg" });
    const count = await setupRule(db(), { aggregate: "count" });
    const states = await loadRuleStates(db(), [avg.deviceId, count.deviceId], now);
    expect(states.find((s) => s.ruleId === avg.ruleId)?.value).toBeNull();
    expect(states.find((s) => s.ruleId === count.ruleId)?.value).toBe(0);
  });

  it("is served by the (device_id, metric, recorded_at) primary key of the window's day partitions only", async () => {
    const { deviceId } = await setupRule(db());
    await database.current.sql`
      insert into sensor_readings (device_id, metric, value, recorded_at)
      select ${deviceId}::uuid, m, g, ${now.toISOString()}::timestamptz - make_interval(secs => g)
      from generate_series(1, 5000) g, unnest(array['temperature','humidity','co2']) m`;
    await database.current.sql`analyze sensor_readings`;
    const plan = await database.current.sql<{ "QUERY PLAN": string }[]>`
      explain select avg(s.value) from sensor_readings_all s
      where s.device_id = ${deviceId} and s.metric = 'temperature'
        and s.recorded_at >= ${now.toISOString()}::timestamptz - interval '60 seconds' and s.recorded_at <= ${now.toISOString()}::timestamptz`;
    const text = plan.map((r) => r["QUERY PLAN"]).join("\n");
    expect(text).toMatch(/Index (Only )?Scan using sensor_readings_\d{8}_pkey/);
    expect(text.match(/ on sensor_readings_\d{8} /g)?.length ?? 0).toBeLessThanOrEqual(2);
  });
});

describe("transitions", () => {
  it("opens one firing alert with its value and window, and records `fired` once", async () => {
    const { deviceId, ruleId } = await setupRule(db(), { threshold: 30 });
    await readings(deviceId, [
      [50, 31],
      [10, 35],
    ]);
    const [fired] = await evaluateDevices(db(), [deviceId], now);
    expect(fired).toMatchObject({ kind: "fired", ruleId, value: 33 });
    expect(await evaluateDevices(db(), [deviceId], now)).toEqual([]);
    const [alert] = await alertRows(ruleId);
    expect(alert).toMatchObject({ status: "firing", value: 33, windowStart: secondsAgo(60), windowEnd: now });
    const events = await db()
      .select()
      .from(alertEvents)
      .innerJoin(alertDeliveries, eq(alertDeliveries.eventId, alertEvents.id))
      .where(eq(alertEvents.alertId, alert?.id ?? ""));
    // The owner set no channel: the delivery, recorded with the event, goes to their account e-mail.
    expect(
      events.map((e) => [
        e.alert_events.kind,
        e.alert_events.value,
        e.alert_events.notice,
        e.alert_deliveries.destination,
        e.alert_deliveries.status,
      ]),
    ).toEqual([["fired", 33, "sent", "email", "pending"]]);
  });

  it("resolves when the window no longer breaches, once; then can fire again as a new alert", async () => {
    const { deviceId, ruleId } = await setupRule(db(), { threshold: 30 });
    await readings(deviceId, [[100, 40]]);
    expect((await evaluateDevices(db(), [deviceId], secondsAgo(90)))[0]?.kind).toBe("fired");
    await readings(deviceId, [[10, 20]]);
    const resolved = await evaluateDevices(db(), [deviceId], now);
    expect(resolved.map((t) => t.kind)).toEqual(["resolved"]);
    expect(await evaluateDevices(db(), [deviceId], now)).toEqual([]);
    const [alert] = await alertRows(ruleId);
    expect(alert).toMatchObject({ status: "resolved", resolvedAt: now, resolvedValue: 20 });
    await readings(deviceId, [[-30, 50]]);
    const again = await evaluateDevices(db(), [deviceId], new Date(now.getTime() + 31_000));
    expect(again.map((t) => t.kind)).toEqual(["fired"]);
    expect((await alertRows(ruleId)).map((a) => a.status).sort()).toEqual(["firing", "resolved"]);
  });

  it("hysteresis: a value hovering at the threshold does not flap", async () => {
    const { deviceId, ruleId } = await setupRule(db(), {
      threshold: 30,
      recoveryThreshold: 28,
      aggregate: "last",
    });
    const at = (s: number) => new Date(now.getTime() + s * 1000);
    const sequence: [number, number][] = [
      [0, 31],
      [10, 29.5],
      [20, 30.5],
      [30, 29],
      [40, 28.5],
      [50, 27.9],
      [60, 29.9],
    ];
    const kinds: string[] = [];
    for (const [s, value] of sequence) {
      await db()
        .insert(sensorReadings)
        .values({ deviceId, metric: "temperature", value, recordedAt: at(s) });
      for (const t of await evaluateDevices(db(), [deviceId], at(s))) kinds.push(`${s}:${t.kind}`);
    }
    expect(kinds).toEqual(["0:fired", "50:resolved"]);
    expect(await alertRows(ruleId)).toHaveLength(1);
  });

  it("no-data policies: keep holds the state, resolve resolves, fire fires on silence", async () => {
    const keep = await setupRule(db(), { noData: "keep" });
    const resolve = await setupRule(db(), { noData: "resolve" });
    const fire = await setupRule(db(), { noData: "fire" });
    for (const r of [keep, resolve]) await readings(r.deviceId, [[200, 50]]);
    const before = secondsAgo(190);
    const opened = await evaluateDevices(db(), [keep.deviceId, resolve.deviceId], before);
    expect(opened.map((t) => t.kind)).toEqual(["fired", "fired"]);
    // Now every window is empty.
    const transitions = await evaluateDevices(db(), [keep.deviceId, resolve.deviceId, fire.deviceId], now);
    const byRule = new Map(transitions.map((t) => [t.ruleId, t.kind]));
    expect(byRule.get(keep.ruleId)).toBeUndefined();
    expect(byRule.get(resolve.ruleId)).toBe("resolved");
    expect(byRule.get(fire.ruleId)).toBe("fired");
    expect((await alertRows(keep.ruleId))[0]?.status).toBe("firing");
    expect((await alertRows(fire.ruleId))[0]).toMatchObject({ status: "firing", value: null });
  });

  it("20 concurrent evaluations of the same breach: one firing alert, one fired event", async () => {
    const { deviceId, ruleId } = await setupRule(db(), { threshold: 30 });
    await readings(deviceId, [[5, 99]]);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => evaluateDevices(db(), [deviceId], now)),
    );
    expect(results.flat().filter((t) => t.kind === "fired")).toHaveLength(1);
    const rows = await alertRows(ruleId);
    expect(rows).toHaveLength(1);
    const events = await db()
      .select()
      .from(alertEvents)
      .where(eq(alertEvents.alertId, rows[0]?.id ?? ""));
    expect(events).toHaveLength(1);
  });
});

describe("device silence", () => {
  it("the sweep marks a silent device offline, and online again when readings return", async () => {
    const { deviceId } = await setupRule(db());
    await db()
      .update(devices)
      .set({ status: "online", lastSeenAt: secondsAgo(301), silenceSeconds: 300 })
      .where(eq(devices.id, deviceId));
    const status = async () =>
      (await db().select({ s: devices.status }).from(devices).where(eq(devices.id, deviceId)))[0]?.s;
    await markDevicesOfflineOrOnlineBySilence(db(), now);
    expect(await status()).toBe("offline");
    await db()
      .update(devices)
      .set({ lastSeenAt: secondsAgo(1) })
      .where(eq(devices.id, deviceId));
    await markDevicesOfflineOrOnlineBySilence(db(), now);
    expect(await status()).toBe("online");
  });
});

describe("one device's data never breaks another's evaluation", () => {
  // A value beyond float8's range (stored by hand: the ingest refuses anything past ±1e15) makes
  // the window's figure overflow as it becomes float8: SQLSTATE 22003 for the whole statement,
  // and so for every device evaluated with it.
  async function poisoned() {
    const rule = await setupRule(db(), { threshold: 30, aggregate: "avg" });
    await database.current.sql`
      insert into sensor_readings (device_id, metric, value, recorded_at) values
        (${rule.deviceId}, 'temperature', 1e400, ${secondsAgo(20).toISOString()}::timestamptz),
        (${rule.deviceId}, 'temperature', 0, ${secondsAgo(10).toISOString()}::timestamptz)`;
    return rule;
  }

  it("the failing device is reported and skipped; the others in the same evaluation fire", async () => {
    const healthy = await Promise.all(Array.from({ length: 5 }, () => setupRule(db(), { threshold: 30 })));
    for (const h of healthy) await readings(h.deviceId, [[10, 35]]);
    const bad = await poisoned();
    const ids = [...healthy.slice(0, 3), bad, ...healthy.slice(3)].map((r) => r.deviceId);
    // Without isolation the whole evaluation fails.
    await expect(evaluateDevices(db(), ids, now)).rejects.toMatchObject({ code: "22003" });

    const failures: { scope: string; id: string }[] = [];
    const transitions = await evaluateDevices(db(), ids, now, ({ scope, id }) =>
      failures.push({ scope, id }),
    );
    expect(failures).toEqual([{ scope: "device", id: bad.deviceId }]);
    expect(transitions.map((t) => t.ruleId).sort()).toEqual(healthy.map((h) => h.ruleId).sort());
    expect(await alertRows(bad.ruleId)).toEqual([]);
  });

  it("a sweep goes on past it, counts it, and evaluates every other device", async () => {
    // The sweep evaluates at the wall clock's now: these readings are in its window.
    const bad = await setupRule(db(), { threshold: 30, aggregate: "avg" });
    const good = await setupRule(db(), { threshold: 30 });
    await database.current.sql`
      insert into sensor_readings (device_id, metric, value, recorded_at) values
        (${bad.deviceId}, 'temperature', 1e400, now() - interval '20 seconds'),
        (${bad.deviceId}, 'temperature', 0, now() - interval '10 seconds'),
        (${good.deviceId}, 'temperature', 35, now() - interval '5 seconds')`;
    const { startAlerter } = await import("./harness");
    const alerter = await startAlerter(database.current.url);
    try {
      const result = await alerter.app.sweep();
      expect(result.transitions).toBeGreaterThanOrEqual(1);
      expect(await alertRows(good.ruleId)).toHaveLength(1);
      const metrics = await (await fetch(`${alerter.url}/metrics`)).text();
      expect(metrics).toMatch(/alerter_evaluation_failures_total\{scope="device"\} [1-9]/);
    } finally {
      await alerter.close();
    }
  }, 30_000);
});
