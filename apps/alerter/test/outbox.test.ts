// The alerter's outbox queries on the one database handle (Drizzle's client, whose timestamp
// parsing and serializing pass text through): times written, claimed and filtered on are exact;
// a delivery's claim, lease and adoption by the sweep.
import { useTestDatabase } from "@pulseboard/devstack/test";
import {
  alertDeliveries,
  alertEvents,
  alerts,
  notificationChannels,
  sensorReadings,
} from "@pulseboard/schema";
import {
  adoptOrphanedDeliveries,
  claimDelivery,
  recordFailedDeliveryAttempt,
} from "@pulseboard/schema/queries/alert-deliveries";
import { loadRuleStates, openAlert, resolveAlert } from "@pulseboard/schema/queries/alert-evaluation";
import { alertEventsSince } from "@pulseboard/schema/queries/alert-events";
import { eq, inArray } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { isOrphaned } from "../src/deliveries";
import { webhookPayload } from "../src/notice-text";
import { setupRule } from "./harness";

const database = useTestDatabase();
const db = () => database.current.db;
const now = new Date("2026-11-22T12:00:00.123Z");
const later = new Date("2026-11-22T12:05:00.456Z");

async function firedAndResolved() {
  const rule = await setupRule(db(), { threshold: 30, windowSeconds: 60 }, "http://127.0.0.1:9/hook");
  await db()
    .insert(sensorReadings)
    .values({
      deviceId: rule.deviceId,
      metric: "temperature",
      value: 40,
      recordedAt: new Date(now.getTime() - 5000),
    });
  const [state] = await loadRuleStates(db(), [rule.deviceId], now);
  if (!state) throw new Error("no rule state");
  const fired = await openAlert(db(), state, now);
  const resolved = await resolveAlert(db(), { ...state, value: 20 }, later);
  if (!fired || !resolved) throw new Error("no transitions");
  const channelId = rule.channelId ?? "";
  return {
    ...rule,
    fired,
    resolved,
    firedKey: { eventId: fired.eventId, channelId },
    resolvedKey: { eventId: resolved.eventId, channelId },
  };
}

describe("the outbox on the Drizzle handle", () => {
  it("the handle's raw client reads timestamps as text (what the queries must allow for)", async () => {
    const [row] = await db().$client<{ t: unknown }[]>`select now() as t`;
    expect(typeof row?.t).toBe("string");
  });

  it("transitions store their times exactly", async () => {
    const { ruleId, fired } = await firedAndResolved();
    const [alert] = await db().select().from(alerts).where(eq(alerts.ruleId, ruleId));
    expect(alert).toMatchObject({
      status: "resolved",
      triggeredAt: now,
      resolvedAt: later,
      windowStart: new Date(now.getTime() - 60_000),
      windowEnd: now,
      value: 40,
      resolvedValue: 20,
    });
    const events = await db().select().from(alertEvents).where(eq(alertEvents.alertId, fired.alertId));
    expect(events.map((e) => [e.kind, e.at.toISOString()]).sort()).toEqual([
      ["fired", now.toISOString()],
      ["resolved", later.toISOString()],
    ]);
  });

  it("a claimed event carries its times as Dates, and the payload tells them to the millisecond", async () => {
    const { fired, firedKey, resolvedKey, ruleId, deviceId } = await firedAndResolved();
    const claimed = await claimDelivery(db(), firedKey, 60_000);
    expect(claimed).toMatchObject({
      id: fired.eventId,
      kind: "fired",
      value: 40,
      at: now,
      attempts: 1,
      alert: {
        id: fired.alertId,
        status: "resolved",
        triggeredAt: now,
        resolvedAt: later,
        windowStart: new Date(now.getTime() - 60_000),
        windowEnd: now,
      },
      rule: { id: ruleId, comparator: "gt", threshold: 30, aggregate: "avg", windowSeconds: 60 },
      device: { id: deviceId, name: "greenhouse" },
    });
    if (!claimed) throw new Error("not claimed");
    expect(webhookPayload(claimed, "http://localhost:3000")).toMatchObject({
      at: "2026-11-22T12:00:00.123Z",
      alert: {
        triggeredAt: "2026-11-22T12:00:00.123Z",
        resolvedAt: "2026-11-22T12:05:00.456Z",
        windowStart: "2026-11-22T11:59:00.123Z",
        windowEnd: "2026-11-22T12:00:00.123Z",
      },
    });
    // Claimed once: a concurrent delivery finds nothing to claim.
    expect(await claimDelivery(db(), firedKey, 60_000)).toBeUndefined();
    expect((await claimDelivery(db(), resolvedKey, 60_000))?.at).toEqual(later);
  });

  it("the live catch-up reads an owner's events from a moment on, to the millisecond", async () => {
    const { ownerId, fired, resolved } = await firedAndResolved();
    const since = await alertEventsSince(db(), [ownerId], now);
    expect(since.map((e) => e.eventId)).toEqual([fired.eventId, resolved.eventId]);
    const { deliveries: _, ...transition } = fired;
    expect(since[0]).toEqual(transition);
    const after = await alertEventsSince(db(), [ownerId], new Date(now.getTime() + 1));
    expect(after.map((e) => e.eventId)).toEqual([resolved.eventId]);
    expect(await alertEventsSince(db(), [crypto.randomUUID()], now)).toEqual([]);
    expect(await alertEventsSince(db(), [], now)).toEqual([]);
  });

  it("each event is recorded with a delivery per channel that takes its severity; an owner without channels gets their account e-mail", async () => {
    const recorded = Date.now();
    const { fired, channelId } = await firedAndResolved();
    expect(fired.deliveries).toEqual([{ eventId: fired.eventId, channelId }]);
    const [delivery] = await db()
      .select()
      .from(alertDeliveries)
      .where(eq(alertDeliveries.eventId, fired.eventId));
    expect(delivery).toMatchObject({
      channelId,
      destination: "webhook",
      status: "pending",
      attempts: 0,
      claimedUntil: null,
    });
    // Due when recorded, not at the time the evaluation judged.
    expect(Math.abs((delivery?.nextAttemptAt.getTime() ?? 0) - recorded)).toBeLessThan(5000);
    const [event] = await db().select().from(alertEvents).where(eq(alertEvents.id, fired.eventId));
    expect(event?.notice).toBe("sent");

    const bare = await setupRule(db(), { threshold: 30, windowSeconds: 60 });
    await db()
      .insert(sensorReadings)
      .values({
        deviceId: bare.deviceId,
        metric: "temperature",
        value: 40,
        recordedAt: new Date(now.getTime() - 5000),
      });
    const [state] = await loadRuleStates(db(), [bare.deviceId], now);
    const opened = state && (await openAlert(db(), state, now));
    const [account] = await db()
      .select()
      .from(notificationChannels)
      .where(eq(notificationChannels.ownerId, bare.ownerId));
    expect(account).toMatchObject({
      kind: "email",
      isAccount: true,
      severities: ["info", "warning", "critical"],
    });
    expect(opened?.deliveries).toEqual([{ eventId: opened?.eventId, channelId: account?.id }]);
    const [pending] = await db()
      .select()
      .from(alertDeliveries)
      .where(eq(alertDeliveries.eventId, opened?.eventId ?? ""));
    expect(pending).toMatchObject({ destination: "email", status: "pending" });
  });

  it("a claim is leased: not claimed again within its lease, claimed again (and counted) after it", async () => {
    const { fired, firedKey } = await firedAndResolved();
    expect((await claimDelivery(db(), firedKey, 300))?.attempts).toBe(1);
    expect(await claimDelivery(db(), firedKey, 300)).toBeUndefined();
    await new Promise((r) => setTimeout(r, 400));
    const again = await claimDelivery(db(), firedKey, 60_000);
    expect(again?.attempts).toBe(2);
    // The crashed first attempt's late outcome does not overwrite the second's claim.
    await recordFailedDeliveryAttempt(db(), { ...firedKey, attempts: 1 }, "x", 0);
    const [row] = await db().select().from(alertDeliveries).where(eq(alertDeliveries.eventId, fired.eventId));
    expect(row).toMatchObject({ status: "in_flight", attempts: 2, lastError: null });
  });

  it("concurrent claims of one delivery: exactly one wins", async () => {
    const { firedKey } = await firedAndResolved();
    const claims = await Promise.all(Array.from({ length: 8 }, () => claimDelivery(db(), firedKey, 60_000)));
    expect(claims.filter(Boolean)).toHaveLength(1);
  });

  it("the sweep adopts exactly the deliveries isOrphaned names, once", async () => {
    const rule = await firedAndResolved();
    const more = await firedAndResolved();
    const ids = [rule.fired.eventId, rule.resolved.eventId, more.fired.eventId, more.resolved.eventId];
    const at = new Date(Date.now() + 3_600_000);
    const minutes = (m: number) => new Date(at.getTime() + m * 60_000);
    // A retry scheduled in a minute; one due 3 minutes ago (lost); an attempt within its lease;
    // one whose lease ended (crashed).
    const states = [
      { status: "pending", nextAttemptAt: minutes(1), claimedUntil: null },
      { status: "pending", nextAttemptAt: minutes(-3), claimedUntil: null },
      { status: "in_flight", nextAttemptAt: minutes(-60), claimedUntil: minutes(0.5) },
      { status: "in_flight", nextAttemptAt: minutes(-60), claimedUntil: minutes(-0.5) },
    ] as const;
    for (const [i, state] of states.entries())
      await db()
        .update(alertDeliveries)
        .set(state)
        .where(eq(alertDeliveries.eventId, ids[i] ?? ""));
    const expected = ids.filter((_, i) => isOrphaned(states[i] as (typeof states)[number], at, 120_000));
    expect(expected).toEqual([ids[1], ids[3]]);
    const [first, second] = await Promise.all([
      adoptOrphanedDeliveries(db(), { now: at, graceMs: 120_000 }),
      adoptOrphanedDeliveries(db(), { now: at, graceMs: 120_000 }),
    ]);
    const adopted = [...(first ?? []), ...(second ?? [])].filter((d) => ids.includes(d.eventId));
    expect(adopted.map((d) => d.eventId).sort()).toEqual([...expected].sort());
    expect(adopted.every((d) => d.channelId === rule.channelId || d.channelId === more.channelId)).toBe(true);
    // Adopted: pending, due now, owned by the chain the sweep enqueues; not taken again.
    const rows = await db().select().from(alertDeliveries).where(inArray(alertDeliveries.eventId, expected));
    expect(rows.map((r) => [r.status, r.claimedUntil, r.nextAttemptAt])).toEqual([
      ["pending", null, at],
      ["pending", null, at],
    ]);
    const again = await adoptOrphanedDeliveries(db(), { now: at, graceMs: 120_000 });
    expect(again.filter((d) => ids.includes(d.eventId))).toEqual([]);
    // At boot with the local queue, every pending one (their chains were in its memory).
    const boot = await adoptOrphanedDeliveries(db(), { now: at, graceMs: 120_000, anyPending: true });
    expect(
      boot
        .filter((d) => ids.includes(d.eventId))
        .map((d) => d.eventId)
        .sort(),
    ).toEqual([ids[0], ids[1], ids[3]].sort());
  });
});
