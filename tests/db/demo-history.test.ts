// The demo greenhouse sensor's month of history against the real database: the readings (a
// minute apart, one empty weekend), their roll-up (charts from the stored minutes equal a direct
// computation), the rule and its one past alert (consistent with what the alerter decides over
// these readings, nothing left to deliver), a second call that adds nothing, and a start that
// stopped between storing and rolling up, for a device whose own readings had begun.
import { useTestDatabase } from "@pulseboard/devstack/test";
import { createOwnerWithDevice } from "@pulseboard/devstack/test/fixtures";
import { notificationChannels } from "@pulseboard/schema";
import { adoptOrphanedDeliveries } from "@pulseboard/schema/queries/alert-deliveries";
import { loadRuleStates } from "@pulseboard/schema/queries/alert-evaluation";
import { backfillDeviceHistory } from "@pulseboard/schema/queries/backfill";
import {
  chooseBucketSeconds,
  ROLLUP_1M,
  type RollupRequest,
  rollupFromReadings,
  rollupReadings,
} from "@pulseboard/schema/queries/rollups";
import { beforeAll, describe, expect, it } from "vitest";
import { decide } from "../../apps/alerter/src/decide";
import { evaluateDevices } from "../../apps/alerter/src/evaluate";
import { demoBackfill, ensureDemoHistory } from "../../packages/devstack/src/demo-history";
import { DAY_MS, DEMO_RULE, HISTORY_DAYS, MINUTE_MS } from "../../packages/devstack/src/demo-history-curve";

const database = useTestDatabase();
const sql = () => database.current.sql;
const db = () => database.current.db;
const METRICS = ["temperature", "humidity", "pressure", "co2"];
const MINUTES = (HISTORY_DAYS - 2) * 1440; // a month of minutes less the empty weekend

const newOwnerWithDevice = () => createOwnerWithDevice(db(), crypto.randomUUID(), "Greenhouse sensor");

async function counts(deviceId: string) {
  const [row] = await sql()<
    {
      readings: number;
      rollupRows: number;
      rolledUp: number;
      rules: number;
      alerts: number;
      events: number;
    }[]
  >`
    select (select count(*)::int from sensor_readings where device_id = ${deviceId}) as "readings",
           (select count(*)::int from reading_rollups_1m where device_id = ${deviceId}) as "rollupRows",
           (select coalesce(sum(count), 0)::int from reading_rollups_1m where device_id = ${deviceId}) as "rolledUp",
           (select count(*)::int from alert_rules where device_id = ${deviceId}) as "rules",
           (select count(*)::int from alerts where device_id = ${deviceId}) as "alerts",
           (select count(*)::int from alert_events e join alerts a on a.id = e.alert_id
            where a.device_id = ${deviceId}) as "events"`;
  return row;
}

async function readingSpan(deviceId: string) {
  const [row] = await sql()<{ first: string; last: string; now: string }[]>`
    select to_char(min(recorded_at) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as first,
           to_char(max(recorded_at) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as last,
           to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as now
    from sensor_readings where device_id = ${deviceId}`;
  if (!row) throw new Error("no readings");
  return { first: Date.parse(row.first), last: Date.parse(row.last), now: Date.parse(row.now) };
}

/** Every reading of the device is on the rolled-up side of the watermark. */
async function notRolledUp(deviceId: string): Promise<number> {
  const [row] = await sql()<{ n: number }[]>`
    select count(*)::int as n from sensor_readings s
    where s.device_id = ${deviceId}
      and least(greatest(s.received_at, date_bin('1 minute', s.recorded_at, timestamptz '1970-01-01 00:00:00+00') + interval '1 minute'),
                s.received_at + interval '1 minute')
          > coalesce((select cutoff from rollup_watermarks where name = ${ROLLUP_1M}), '-infinity')`;
  return row?.n ?? -1;
}

describe("the demo greenhouse sensor's history", () => {
  let a: { ownerId: string; deviceId: string };
  let before: number;

  beforeAll(async () => {
    a = await newOwnerWithDevice();
    before = Date.now();
    const started = performance.now();
    const result = await ensureDemoHistory(db(), a.ownerId, a.deviceId);
    console.log(
      `demo history: ${result.readings} readings stored and ${result.rolledUp} roll-up rows made in ${Math.round(performance.now() - started)} ms`,
    );
    expect(result).toEqual({ created: true, readings: MINUTES * 4, rolledUp: MINUTES * 4 });
  }, 120_000);

  it("has a reading a minute per metric for 30 days, ending a minute or two before now", async () => {
    expect(await counts(a.deviceId)).toMatchObject({ readings: MINUTES * 4 });
    const perMetric = await sql()<{ metric: string; n: number }[]>`
      select metric, count(*)::int as n from sensor_readings where device_id = ${a.deviceId}
      group by metric order by metric`;
    expect(perMetric).toEqual(
      METRICS.map((metric) => ({ metric, n: MINUTES })).sort((x, y) => (x.metric < y.metric ? -1 : 1)),
    );
    const span = await readingSpan(a.deviceId);
    const end = Math.floor(before / MINUTE_MS) * MINUTE_MS;
    expect(span.last).toBeLessThanOrEqual(end);
    expect(span.last).toBeGreaterThanOrEqual(end - 2 * MINUTE_MS);
    expect(span.last).toBeLessThan(span.now - MINUTE_MS);
    expect(span.last + MINUTE_MS - span.first).toBe(HISTORY_DAYS * DAY_MS);
    const [offGrid] = await sql()<{ n: number }[]>`
      select count(*)::int as n from sensor_readings
      where device_id = ${a.deviceId} and date_trunc('minute', recorded_at) <> recorded_at`;
    expect(offGrid?.n).toBe(0);
  });

  it("is empty over one weekend, Saturday to Monday", async () => {
    const holes = await sql()<{ after: string; next: string }[]>`
      select to_char(t at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as after,
             to_char(n at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as next
      from (select recorded_at as t, lead(recorded_at) over (order by recorded_at) as n
            from sensor_readings where device_id = ${a.deviceId} and metric = 'temperature') x
      where n - t > interval '1 minute'`;
    expect(holes).toHaveLength(1);
    const [hole] = holes;
    const gapStart = Date.parse(hole?.after ?? "") + MINUTE_MS;
    const gapEnd = Date.parse(hole?.next ?? "");
    expect(new Date(gapStart).getUTCDay()).toBe(6);
    expect(new Date(gapStart).toISOString()).toMatch(/T00:00:00.000Z$/);
    expect(gapEnd - gapStart).toBe(2 * DAY_MS);
    const [inGap] = await sql()<{ n: number }[]>`
      select count(*)::int as n from sensor_readings where device_id = ${a.deviceId}
        and recorded_at >= ${new Date(gapStart).toISOString()}::timestamptz
        and recorded_at < ${new Date(gapEnd).toISOString()}::timestamptz`;
    expect(inGap?.n).toBe(0);
  });

  it("is rolled up: one stored row per minute and metric, nothing left for the raw tail", async () => {
    expect(await counts(a.deviceId)).toMatchObject({ rollupRows: MINUTES * 4, rolledUp: MINUTES * 4 });
    expect(await notRolledUp(a.deviceId)).toBe(0);
    const [mark] = await sql()<{ past: boolean }[]>`
      select cutoff <= now() - interval '1 second' as past from rollup_watermarks where name = ${ROLLUP_1M}`;
    expect(mark?.past).toBe(true);
  });

  it("charts the month, the week and the day from the stored minutes, equal to the direct computation", async () => {
    const span = await readingSpan(a.deviceId);
    const to = new Date(span.now);
    for (const [days, metric] of [
      [30, "temperature"],
      [30, "co2"],
      [7, "humidity"],
      [1, "pressure"],
    ] as const) {
      const from = new Date(Math.min(span.first, to.getTime() - days * DAY_MS));
      const request: RollupRequest = {
        ownerId: a.ownerId,
        deviceId: a.deviceId,
        metric,
        from,
        to,
        bucketSeconds: chooseBucketSeconds(from, to),
      };
      const points = await rollupReadings(db(), request);
      expect(points, `${days} d ${metric}`).toEqual(await rollupFromReadings(db(), request));
      const bucketMs = request.bucketSeconds * 1000;
      expect(Date.parse(points[0]?.t ?? "")).toBeLessThanOrEqual(from.getTime());
      expect(Date.parse(points.at(-1)?.t ?? "")).toBeGreaterThanOrEqual(span.last - bucketMs);
      if (days === 30) {
        expect(points.reduce((n, p) => n + p.count, 0)).toBe(MINUTES);
        // Every bucket but the weekend's has readings: the month is alive end to end.
        const buckets = Math.ceil((to.getTime() - from.getTime()) / bucketMs);
        expect(points.length).toBeGreaterThanOrEqual(buckets - (2 * DAY_MS) / bucketMs - 2);
      }
    }
    const month = await rollupReadings(db(), {
      ownerId: a.ownerId,
      deviceId: a.deviceId,
      metric: "temperature",
      from: new Date(span.first),
      to,
      bucketSeconds: 86_400,
    });
    // Day and night in every day; three afternoons past the rule's threshold.
    for (const day of month.slice(1, -1)) expect(day.max - day.min, day.t).toBeGreaterThan(2);
    expect(month.filter((day) => day.max > DEMO_RULE.threshold)).toHaveLength(3);
  });

  it("has the rule, and one alert that fired in a breach and resolved, with both events handled", async () => {
    const rules = await sql()<
      {
        id: string;
        metric: string;
        comparator: string;
        threshold: number;
        recovery: number;
        window_seconds: number;
        aggregate: string;
        no_data: string;
        created: string;
      }[]
    >`
      select id, metric, comparator, threshold::float8 as threshold, recovery_threshold::float8 as recovery,
             window_seconds, aggregate, no_data, created_at::text as created
      from alert_rules where device_id = ${a.deviceId}`;
    expect(rules).toHaveLength(1);
    expect(rules[0]).toMatchObject({
      metric: "temperature",
      comparator: "gt",
      threshold: 30,
      recovery: 28,
      window_seconds: 600,
      aggregate: "avg",
      no_data: "keep",
    });
    const alerts = await sql()<
      {
        id: string;
        rule_id: string;
        status: string;
        triggered: string;
        resolved: string;
        value: number;
        resolved_value: number;
        window_start: string;
        window_end: string;
      }[]
    >`
      select id, rule_id, status, to_char(triggered_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as triggered,
             to_char(resolved_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as resolved,
             value::float8 as value, resolved_value::float8 as resolved_value,
             to_char(window_start at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as window_start,
             to_char(window_end at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as window_end
      from alerts where device_id = ${a.deviceId}`;
    expect(alerts).toHaveLength(1);
    const [alert] = alerts;
    if (!alert) throw new Error("no alert");
    expect(alert).toMatchObject({ rule_id: rules[0]?.id, status: "resolved", window_end: alert.triggered });
    const triggered = Date.parse(alert.triggered);
    const resolved = Date.parse(alert.resolved);
    expect(Date.parse(alert.window_start)).toBe(triggered - 600_000);
    expect(triggered).toBeGreaterThan(Date.parse(rules[0]?.created ?? ""));
    expect(resolved).toBeGreaterThan(triggered);
    expect(resolved - triggered).toBeLessThan(5 * 3600_000);
    expect(alert.value).toBeGreaterThan(30);
    expect(alert.resolved_value).toBeLessThanOrEqual(28);

    const events = await sql()<
      { kind: string; at: string; value: number; notice: string; deliveries: number; owner_id: string }[]
    >`
      select kind, to_char(at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as at, value::float8 as value,
             notice, (select count(*)::int from alert_deliveries d where d.event_id = e.id) as deliveries, owner_id
      from alert_events e
      where alert_id = ${alert.id} order by at`;
    // History: its notices count as sent when they happened; nothing is sent for them now.
    expect(events).toEqual([
      {
        kind: "fired",
        at: alert.triggered,
        value: alert.value,
        notice: "sent",
        deliveries: 0,
        owner_id: a.ownerId,
      },
      {
        kind: "resolved",
        at: alert.resolved,
        value: alert.resolved_value,
        notice: "sent",
        deliveries: 0,
        owner_id: a.ownerId,
      },
    ]);
    // What the alerter re-enqueues at boot (the local queue's, which takes every pending one): nothing.
    expect(await adoptOrphanedDeliveries(db(), { graceMs: 0, anyPending: true })).toEqual([]);
  });

  it("is what the alerter decides over these readings: open at the trigger, resolve at the resolution", async () => {
    const [alert] = await sql()<
      { triggered: string; resolved: string; value: number; resolved_value: number }[]
    >`
      select to_char(triggered_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as triggered,
             to_char(resolved_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as resolved,
             value::float8 as value, resolved_value::float8 as resolved_value
      from alerts where device_id = ${a.deviceId}`;
    if (!alert) throw new Error("no alert");
    const at = async (ms: number, firing: boolean) => {
      const [state] = await loadRuleStates(db(), [a.deviceId], new Date(ms));
      if (!state) throw new Error("no rule state");
      return { value: state.value, decision: decide(state, state.value, firing) };
    };
    const triggered = Date.parse(alert.triggered);
    const resolved = Date.parse(alert.resolved);
    const opened = await at(triggered, false);
    expect(opened.decision).toBe("open");
    expect(opened.value).toBeCloseTo(alert.value, 9);
    expect((await at(triggered - MINUTE_MS, false)).decision).toBe("nothing");
    const closed = await at(resolved, true);
    expect(closed.decision).toBe("resolve");
    expect(closed.value).toBeCloseTo(alert.resolved_value, 9);
    expect((await at(resolved - MINUTE_MS, true)).decision).toBe("nothing");
    // And now, at boot: the rule is quiet, no transition.
    expect(await evaluateDevices(db(), [a.deviceId])).toEqual([]);
  });

  it("adds nothing the second time", async () => {
    const first = await counts(a.deviceId);
    const result = await ensureDemoHistory(db(), a.ownerId, a.deviceId);
    expect(result).toEqual({ created: false, readings: 0, rolledUp: 0 });
    expect(await counts(a.deviceId)).toEqual(first);
  });

  it("does nothing for a device that is not the owner's", async () => {
    const other = await newOwnerWithDevice();
    expect(await ensureDemoHistory(db(), other.ownerId, a.deviceId)).toEqual({
      created: false,
      readings: 0,
      rolledUp: 0,
    });
    expect(await counts(other.deviceId)).toMatchObject({ readings: 0, rules: 0 });
  });
});

describe("a history for a device whose readings had begun, stored by a start that stopped before its roll-up", () => {
  it("ends before the device's first reading, and the next start rolls it up", async () => {
    const b = await newOwnerWithDevice();
    await sql()`update devices set created_at = now() - interval '5 days' where id = ${b.deviceId}`;
    await database.current.db.insert(notificationChannels).values({
      ownerId: b.ownerId,
      kind: "webhook",
      name: "Hook",
      url: "https://example.com/hook",
      secret: "whsec_dGVzdA==",
      severities: ["warning"],
    });
    const [live] = await sql()<{ ms: number }[]>`
      insert into sensor_readings (device_id, metric, value, recorded_at)
      values (${b.deviceId}, 'temperature', 21.5, now() - interval '3 days 20.5 seconds')
      returning floor(extract(epoch from recorded_at) * 1000)::float8 as ms`;
    const liveMs = live?.ms ?? 0;
    // What ensureDemoHistory stores, without the roll-up after it (the start stopped there).
    const stored = await backfillDeviceHistory(db(), demoBackfill(b.ownerId, b.deviceId, Date.now(), liveMs));
    expect(stored).toMatchObject({ written: true, readings: MINUTES * 4 });
    expect(await notRolledUp(b.deviceId)).toBe(MINUTES * 4 + 1);

    const result = await ensureDemoHistory(db(), b.ownerId, b.deviceId);
    expect(result).toEqual({ created: false, readings: 0, rolledUp: MINUTES * 4 + 1 });
    expect(await notRolledUp(b.deviceId)).toBe(0);
    expect(await counts(b.deviceId)).toMatchObject({
      readings: MINUTES * 4 + 1,
      rules: 1,
      alerts: 1,
      events: 2,
    });

    const [last] = await sql()<{ ms: number }[]>`
      select floor(extract(epoch from max(recorded_at)) * 1000)::float8 as ms
      from sensor_readings where device_id = ${b.deviceId} and recorded_at < ${new Date(liveMs).toISOString()}::timestamptz`;
    expect(last?.ms).toBe(Math.floor(liveMs / MINUTE_MS) * MINUTE_MS - MINUTE_MS);
    // The owner has a webhook: the past events' notices count as sent long ago, and none is sent.
    const notices = await sql()<{ notice: string; deliveries: number }[]>`
      select e.notice, (select count(*)::int from alert_deliveries d where d.event_id = e.id) as deliveries
      from alert_events e join alerts a on a.id = e.alert_id
      where a.device_id = ${b.deviceId}`;
    expect(notices).toEqual([
      { notice: "sent", deliveries: 0 },
      { notice: "sent", deliveries: 0 },
    ]);
    expect(await adoptOrphanedDeliveries(db(), { graceMs: 0, anyPending: true })).toEqual([]);
  }, 120_000);
});
