// The alerter's outbox queries on the one database handle (Drizzle's client, whose timestamp
// parsing and serializing pass text through): times written, claimed and filtered on are exact.
import { useTestDatabase } from "@pulseboard/devstack/test";
import { alertEvents, alerts, sensorReadings } from "@pulseboard/schema";
import { loadRuleStates, openAlert, resolveAlert } from "@pulseboard/schema/queries/alert-evaluation";
import {
  alertEventsSince,
  claimEventForDelivery,
  undeliveredEventIds,
} from "@pulseboard/schema/queries/alert-events";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { webhookPayload } from "../src/deliveries";
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
  return { ...rule, fired, resolved };
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
    const { fired, resolved, ruleId, deviceId } = await firedAndResolved();
    const claimed = await claimEventForDelivery(db(), fired.eventId);
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
    expect(webhookPayload(claimed)).toMatchObject({
      at: "2026-11-22T12:00:00.123Z",
      alert: {
        triggeredAt: "2026-11-22T12:00:00.123Z",
        resolvedAt: "2026-11-22T12:05:00.456Z",
        windowStart: "2026-11-22T11:59:00.123Z",
        windowEnd: "2026-11-22T12:00:00.123Z",
      },
    });
    // Claimed once: a concurrent delivery finds nothing to claim.
    expect(await claimEventForDelivery(db(), fired.eventId)).toBeUndefined();
    expect((await claimEventForDelivery(db(), resolved.eventId))?.at).toEqual(later);
  });

  it("the live catch-up reads an owner's events from a moment on, to the millisecond", async () => {
    const { ownerId, fired, resolved } = await firedAndResolved();
    const since = await alertEventsSince(db(), [ownerId], now);
    expect(since.map((e) => e.eventId)).toEqual([fired.eventId, resolved.eventId]);
    expect(since[0]).toEqual({ ...fired });
    const after = await alertEventsSince(db(), [ownerId], new Date(now.getTime() + 1));
    expect(after.map((e) => e.eventId)).toEqual([resolved.eventId]);
    expect(await alertEventsSince(db(), [crypto.randomUUID()], now)).toEqual([]);
    expect(await alertEventsSince(db(), [], now)).toEqual([]);
  });

  it("undelivered events: pending longer than asked, or stuck in delivery over a minute", async () => {
    const { fired, resolved } = await firedAndResolved();
    await db()
      .update(alertEvents)
      .set({ webhookStatus: "delivering", webhookUpdatedAt: new Date(Date.now() - 61_000) })
      .where(eq(alertEvents.id, fired.eventId));
    const undelivered = await undeliveredEventIds(db(), 0);
    expect(undelivered).toEqual(expect.arrayContaining([fired.eventId, resolved.eventId]));
    const older = await undeliveredEventIds(db(), 3600);
    expect(older).toContain(fired.eventId);
    expect(older).not.toContain(resolved.eventId);
  });
});
