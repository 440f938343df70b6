// Notices against a real database and real receivers: maintenance windows holding then releasing
// them, snoozes, acknowledgements racing transitions, severity routing, resolved notices following
// the fired ones, and escalation happening once.
import { useTestDatabase } from "@pulseboard/devstack/test";
import { createLogger } from "@pulseboard/runtime/logger";
import { generateWebhookSecret } from "@pulseboard/runtime/standard-webhooks";
import {
  alertDeliveries,
  alertEvents,
  alerts,
  notificationChannels,
  sensorReadings,
} from "@pulseboard/schema";
import { ConflictError } from "@pulseboard/schema/errors";
import {
  acknowledgeAlert,
  alertTimeline,
  snoozeAlert,
  unsnoozeAlert,
} from "@pulseboard/schema/queries/alert-actions";
import { loadRuleStates, resolveAlert } from "@pulseboard/schema/queries/alert-evaluation";
import {
  createMaintenanceWindow,
  deleteMaintenanceWindow,
  deviceMaintenance,
} from "@pulseboard/schema/queries/maintenance-windows";
import { escalateAlert } from "@pulseboard/schema/queries/notices";
import { saveNotificationSettings } from "@pulseboard/schema/queries/notifications";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evaluateDevices } from "../src/evaluate";
import { settleNotices } from "../src/sweep";
import {
  type RunningAlerter,
  setupRule,
  startAlerter,
  startWebhookReceiver,
  until,
  type WebhookReceiver,
} from "./harness";

const database = useTestDatabase();
const db = () => database.current.db;
let alerter: RunningAlerter;
let webhook: WebhookReceiver;
let escalation: WebhookReceiver;

beforeAll(async () => {
  alerter = await startAlerter(database.current.url);
  webhook = await startWebhookReceiver();
  escalation = await startWebhookReceiver();
});
afterAll(async () => {
  await alerter?.close();
  await webhook?.close();
  await escalation?.close();
});

const minutes = (m: number) => new Date(Date.now() + m * 60_000);

async function breach(deviceId: string, at: Date) {
  await db()
    .insert(sensorReadings)
    .values({ deviceId, metric: "temperature", value: 99, recordedAt: new Date(at.getTime() - 1000) });
}

/** The sweep's notice step alone (a whole sweep would also evaluate the rules on the real clock). */
const settle = (now: Date) =>
  settleNotices({ db: db(), log: createLogger({ name: "test", level: "silent" }) }, now);

/** A rule that fires on a breach and resolves once its 60 s window is empty. */
async function ruleWithWebhook(severity: "info" | "warning" | "critical" = "warning") {
  return setupRule(db(), { noData: "resolve", severity }, webhook.url);
}

async function fire(deviceId: string, at = new Date()) {
  await breach(deviceId, at);
  const [fired] = await evaluateDevices(db(), [deviceId], at);
  if (fired?.kind !== "fired") throw new Error("did not fire");
  return fired;
}

/** Resolves by evaluating past the window (the rule's noData resolves). */
async function resolveLater(deviceId: string, at = minutes(2)) {
  const [resolved] = await evaluateDevices(db(), [deviceId], at);
  if (resolved?.kind !== "resolved") throw new Error("did not resolve");
  return resolved;
}

const event = (id: string) =>
  db()
    .select()
    .from(alertEvents)
    .where(eq(alertEvents.id, id))
    .then((rows) => rows[0]);

const callsFor = (receiver: WebhookReceiver, eventId: string) =>
  receiver.calls.filter((c) => c.headers["x-pulseboard-event-id"] === eventId);

async function addWebhookChannel(
  ownerId: string,
  url: string,
  severities: ("info" | "warning" | "critical")[],
) {
  const [channel] = await db()
    .insert(notificationChannels)
    .values({ ownerId, kind: "webhook", name: "Second", url, secret: generateWebhookSecret(), severities })
    .returning();
  if (!channel) throw new Error("no channel");
  return channel;
}

describe("a maintenance window", () => {
  it("holds a fired notice while it lasts, then the sweep sends it: to the channels, once", async () => {
    const rule = await ruleWithWebhook();
    await createMaintenanceWindow(db(), rule.ownerId, {
      name: "Pump repair",
      deviceId: rule.deviceId,
      kind: "once",
      startsAt: minutes(-1),
      endsAt: minutes(10),
    });
    expect(await deviceMaintenance(db(), rule.ownerId, rule.deviceId)).toMatchObject({ name: "Pump repair" });
    const fired = await fire(rule.deviceId);
    expect(fired.deliveries).toEqual([]);
    expect(await event(fired.eventId)).toMatchObject({
      notice: "held",
      holdReason: "maintenance: Pump repair",
    });

    // Still inside: nothing goes.
    expect((await alerter.app.sweep({ now: minutes(5) })).notices).toBe(0);
    expect(callsFor(webhook, fired.eventId)).toEqual([]);
    // Ended with the alert still firing: it is notified then, once.
    const released = await alerter.app.sweep({ now: minutes(11) });
    expect(released.notices).toBe(1);
    await until(() => callsFor(webhook, fired.eventId).length === 1);
    expect(await event(fired.eventId)).toMatchObject({
      notice: "sent",
      holdReason: "maintenance: Pump repair",
    });
    expect((await alerter.app.sweep({ now: minutes(12) })).notices).toBe(0);
    const [entry] = await alertTimeline(db(), rule.ownerId, fired.alertId);
    expect(entry).toMatchObject({ kind: "fired", notice: "sent", deliveries: [{ destination: "webhook" }] });
    // Nobody else's: another owner reads no timeline of it.
    expect(await alertTimeline(db(), crypto.randomUUID(), fired.alertId)).toEqual([]);
  });

  it("an alert that fired and resolved inside it is never notified (a resolved notice goes only where the fired one went)", async () => {
    const rule = await ruleWithWebhook();
    await createMaintenanceWindow(db(), rule.ownerId, {
      name: "Calibration",
      deviceId: rule.deviceId,
      kind: "once",
      startsAt: minutes(-1),
      endsAt: minutes(10),
    });
    const fired = await fire(rule.deviceId);
    const resolved = await resolveLater(rule.deviceId);
    expect(resolved.deliveries).toEqual([]);
    expect(await event(fired.eventId)).toMatchObject({ notice: "dropped" });
    expect(await event(resolved.eventId)).toMatchObject({ notice: "dropped" });
    expect(await settle(minutes(11))).toEqual([]);
    expect(await event(fired.eventId)).toMatchObject({ notice: "dropped" });
  });

  it("deleting the window lets what it held go at the next sweep, unless another still holds it", async () => {
    const rule = await ruleWithWebhook();
    const longEnds = minutes(20);
    const short = await createMaintenanceWindow(db(), rule.ownerId, {
      name: "Short",
      deviceId: rule.deviceId,
      kind: "once",
      startsAt: minutes(-1),
      endsAt: minutes(5),
    });
    await createMaintenanceWindow(db(), rule.ownerId, {
      name: "Long",
      deviceId: rule.deviceId,
      kind: "once",
      startsAt: minutes(3),
      endsAt: longEnds,
    });
    const fired = await fire(rule.deviceId);
    // Overlapping windows hold as one: until the later one ends.
    expect(await event(fired.eventId)).toMatchObject({ notice: "held", holdUntil: longEnds });
    await deleteMaintenanceWindow(db(), rule.ownerId, short.id);
    expect((await event(fired.eventId))?.holdUntil?.getTime()).toBeLessThanOrEqual(Date.now());
    // Looked at again at 4 minutes (the long window has begun): held on, until it ends.
    expect(await settle(minutes(4))).toEqual([]);
    expect(await event(fired.eventId)).toMatchObject({ notice: "held", holdUntil: longEnds });
    expect(await settle(minutes(21))).toEqual([{ eventId: fired.eventId, channelId: rule.channelId }]);
  });

  it("a weekly window on a tag holds every device with the tag, in the window's zone", async () => {
    const rule = await ruleWithWebhook();
    await database.current.sql`update devices set tags = '{pumps}' where id = ${rule.deviceId}`;
    await createMaintenanceWindow(db(), rule.ownerId, {
      name: "Always (pumps)",
      tag: "pumps",
      kind: "weekly",
      days: [1, 2, 3, 4, 5, 6, 7],
      startTime: "00:00",
      endTime: "00:00",
      timeZone: "Europe/Berlin",
    });
    const fired = await fire(rule.deviceId);
    expect(await event(fired.eventId)).toMatchObject({
      notice: "held",
      holdReason: "maintenance: Always (pumps)",
    });
  });
});

describe("snooze", () => {
  it("holds the resolved notice until the snooze ends, then sends it where the fired one went", async () => {
    const rule = await ruleWithWebhook();
    const fired = await fire(rule.deviceId);
    expect(fired.deliveries).toEqual([{ eventId: fired.eventId, channelId: rule.channelId }]);
    await snoozeAlert(db(), rule.ownerId, fired.alertId, {
      actorId: rule.ownerId,
      until: minutes(30),
      note: "on it",
    });
    // A channel added since receives no resolved notice: the fired one did not go there.
    const second = await addWebhookChannel(rule.ownerId, `${escalation.url}?second`, ["warning"]);
    const resolved = await resolveLater(rule.deviceId);
    expect(await event(resolved.eventId)).toMatchObject({ notice: "held", holdReason: "snoozed" });
    expect(await settle(minutes(29))).toEqual([]);
    expect(await settle(minutes(31))).toEqual([{ eventId: resolved.eventId, channelId: rule.channelId }]);
    const rows = await db()
      .select()
      .from(alertDeliveries)
      .where(eq(alertDeliveries.eventId, resolved.eventId));
    expect(rows.map((r) => r.channelId)).toEqual([rule.channelId]);
    expect(rows.map((r) => r.channelId)).not.toContain(second.id);
    const kinds = (await alertTimeline(db(), rule.ownerId, fired.alertId)).map((e) => [
      e.kind,
      e.notice,
      e.note,
    ]);
    expect(kinds).toEqual([
      ["fired", "sent", null],
      ["snoozed", "none", "on it"],
      ["resolved", "sent", null],
    ]);
  });

  it("a snooze until a time covers the rule's next alert; ending it lets the held notice go", async () => {
    const rule = await ruleWithWebhook();
    const first = await fire(rule.deviceId);
    await snoozeAlert(db(), rule.ownerId, first.alertId, { actorId: rule.ownerId, until: minutes(60) });
    await resolveLater(rule.deviceId);
    // Flapping: the rule fires again within the snooze.
    const again = await fire(rule.deviceId, minutes(3));
    expect(again.alertId).not.toBe(first.alertId);
    expect(await event(again.eventId)).toMatchObject({ notice: "held", holdReason: "snoozed" });
    await unsnoozeAlert(db(), rule.ownerId, again.alertId, { actorId: rule.ownerId });
    const released = await settle(minutes(4));
    expect(released).toContainEqual({ eventId: again.eventId, channelId: rule.channelId });
    expect(await event(again.eventId)).toMatchObject({ notice: "sent" });
    await alerter.call("/v1/deliver", { eventId: again.eventId, channelId: rule.channelId });
    await until(() => callsFor(webhook, again.eventId).length === 1);
    await expect(unsnoozeAlert(db(), rule.ownerId, again.alertId, { actorId: rule.ownerId })).rejects.toThrow(
      ConflictError,
    );
  });

  it("until it resolves: the resolution ends it, and its notice goes at once", async () => {
    const rule = await ruleWithWebhook();
    const fired = await fire(rule.deviceId);
    await snoozeAlert(db(), rule.ownerId, fired.alertId, { actorId: rule.ownerId, until: null });
    const resolved = await resolveLater(rule.deviceId);
    expect(resolved.deliveries).toEqual([{ eventId: resolved.eventId, channelId: rule.channelId }]);
    await expect(
      snoozeAlert(db(), rule.ownerId, fired.alertId, { actorId: rule.ownerId, until: null }),
    ).rejects.toThrow(ConflictError);
  });

  it("refuses a snooze that ends in the past, and another owner's alert", async () => {
    const rule = await ruleWithWebhook();
    const fired = await fire(rule.deviceId);
    await expect(
      snoozeAlert(db(), rule.ownerId, fired.alertId, { actorId: rule.ownerId, until: minutes(-1) }),
    ).rejects.toThrow("a snooze must end in the future");
    const stranger = await setupRule(db());
    await expect(
      snoozeAlert(db(), stranger.ownerId, fired.alertId, { actorId: stranger.ownerId, until: null }),
    ).rejects.toThrow("alert not found");
  });
});

describe("acknowledging", () => {
  it("races a resolution safely: either acknowledged while firing, or refused because it resolved", async () => {
    for (let i = 0; i < 6; i++) {
      const rule = await ruleWithWebhook();
      const fired = await fire(rule.deviceId);
      const [state] = await loadRuleStates(db(), [rule.deviceId], new Date());
      if (!state) throw new Error("no state");
      const [ack, resolved] = await Promise.allSettled([
        acknowledgeAlert(db(), rule.ownerId, fired.alertId, {
          actorId: rule.ownerId,
          note: "checking the pump",
        }),
        resolveAlert(db(), { ...state, value: 1 }, new Date()),
      ]);
      expect(resolved.status).toBe("fulfilled");
      const [alert] = await db().select().from(alerts).where(eq(alerts.id, fired.alertId));
      expect(alert?.status).toBe("resolved");
      const acks = await db()
        .select()
        .from(alertEvents)
        .where(and(eq(alertEvents.alertId, fired.alertId), eq(alertEvents.kind, "acknowledged")));
      if (ack.status === "fulfilled") {
        expect(acks).toHaveLength(1);
        expect(alert?.acknowledgedBy).toBe(rule.ownerId);
      } else {
        expect(ack.reason).toBeInstanceOf(ConflictError);
        expect(acks).toEqual([]);
        expect(alert?.acknowledgedAt).toBeNull();
      }
    }
  });

  it("a snooze racing a resolution: either recorded on the firing alert, or refused", async () => {
    for (let i = 0; i < 6; i++) {
      const rule = await ruleWithWebhook();
      const fired = await fire(rule.deviceId);
      const [state] = await loadRuleStates(db(), [rule.deviceId], new Date());
      if (!state) throw new Error("no state");
      const [snooze] = await Promise.allSettled([
        snoozeAlert(db(), rule.ownerId, fired.alertId, { actorId: rule.ownerId, until: minutes(30) }),
        resolveAlert(db(), { ...state, value: 1 }, new Date()),
      ]);
      const events = await alertTimeline(db(), rule.ownerId, fired.alertId);
      const kinds = events.map((e) => e.kind).sort();
      const resolved = events.find((e) => e.kind === "resolved");
      if (snooze.status === "fulfilled") {
        // Snoozed first (the resolution waited for its lock): the resolved notice is held by it.
        expect(kinds).toEqual(["fired", "resolved", "snoozed"]);
        expect(resolved).toMatchObject({ notice: "held", holdReason: "snoozed" });
      } else {
        expect(snooze.reason).toBeInstanceOf(ConflictError);
        expect(kinds).toEqual(["fired", "resolved"]);
        expect(resolved?.notice).toBe("sent");
      }
    }
  });

  it("once: a second acknowledgement is a conflict", async () => {
    const rule = await ruleWithWebhook();
    const fired = await fire(rule.deviceId);
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () =>
        acknowledgeAlert(db(), rule.ownerId, fired.alertId, { actorId: rule.ownerId }),
      ),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
  });
});

describe("channel kinds", () => {
  it("a Slack-compatible channel gets one text with the headline and the alert's link, unsigned", async () => {
    const rule = await setupRule(db(), { noData: "resolve", severity: "critical" });
    const [slack] = await db()
      .insert(notificationChannels)
      .values({
        ownerId: rule.ownerId,
        kind: "slack",
        name: "Ops chat",
        url: `${webhook.url}?slack`,
        severities: ["critical"],
      })
      .returning();
    const fired = await fire(rule.deviceId);
    expect(fired.deliveries).toEqual([{ eventId: fired.eventId, channelId: slack?.id }]);
    const before = webhook.calls.length;
    expect(await (await alerter.call("/v1/deliver", fired.deliveries[0])).json()).toEqual({
      outcome: "delivered",
    });
    const call = webhook.calls.slice(before).at(-1);
    const body = JSON.parse(call?.body ?? "{}") as { text: string };
    expect(Object.keys(body)).toEqual(["text"]);
    expect(body.text).toMatch(/^\*\[Critical\] Fired: avg of temperature over 1 min &gt; 30 on greenhouse\*/);
    expect(body.text).toContain(`<http://localhost:3000/dashboard/alerts/${fired.alertId}|Open the alert>`);
    expect(call?.headers["webhook-signature"]).toBeUndefined();
  });

  it("an account e-mail that is not verified is skipped, saying why; so is e-mail without a mail server", async () => {
    const rule = await setupRule(db(), { noData: "resolve" });
    const fired = await fire(rule.deviceId);
    const [key] = fired.deliveries;
    expect(await (await alerter.call("/v1/deliver", key)).json()).toEqual({ outcome: "skipped" });
    const [row] = await db().select().from(alertDeliveries).where(eq(alertDeliveries.eventId, fired.eventId));
    expect(row).toMatchObject({
      destination: "email",
      status: "skipped",
      lastError: "the address is not confirmed",
    });

    const verified = await setupRule(db(), { noData: "resolve" });
    await database.current.sql`update "user" set email_verified = true where id = ${verified.ownerId}`;
    const second = await fire(verified.deviceId);
    expect(await (await alerter.call("/v1/deliver", second.deliveries[0])).json()).toEqual({
      outcome: "skipped",
    });
    const [none] = await db()
      .select()
      .from(alertDeliveries)
      .where(eq(alertDeliveries.eventId, second.eventId));
    expect(none?.lastError).toBe("e-mail is not configured on this server");
  });
});

describe("routing and escalation", () => {
  it("sends a severity only to the channels that take it", async () => {
    const rule = await setupRule(db(), { severity: "info" });
    const critical = await addWebhookChannel(rule.ownerId, webhook.url, ["critical"]);
    const info = await addWebhookChannel(rule.ownerId, `${webhook.url}?info`, ["info", "warning"]);
    const fired = await fire(rule.deviceId);
    expect(fired.deliveries).toEqual([{ eventId: fired.eventId, channelId: info.id }]);
    expect(fired.deliveries.map((d) => d.channelId)).not.toContain(critical.id);
  });

  it("escalates a critical alert nobody acknowledged, once, to the escalation channel", async () => {
    const rule = await ruleWithWebhook("critical");
    const channel = await addWebhookChannel(rule.ownerId, escalation.url, []);
    await saveNotificationSettings(db(), rule.ownerId, {
      escalationChannelId: channel.id,
      escalationMinutes: 5,
    });
    const fired = await fire(rule.deviceId);
    expect(await escalateAlert(db(), fired.alertId, minutes(4))).toEqual([]);
    const attempts = await Promise.all(
      Array.from({ length: 5 }, () => escalateAlert(db(), fired.alertId, minutes(6))),
    );
    expect(attempts.flat()).toHaveLength(1);
    expect(await settle(minutes(7))).toEqual([]);
    const escalated = attempts.flat()[0];
    await alerter.call("/v1/deliver", escalated);
    await until(() => escalation.calls.some((c) => c.body.includes('"type":"alert.escalated"')));
    expect(escalation.calls.filter((c) => c.body.includes(fired.alertId))).toHaveLength(1);
  });

  it("never escalates an acknowledged, snoozed or in-window alert", async () => {
    const cases = ["acknowledged", "snoozed", "window"] as const;
    for (const held of cases) {
      const rule = await ruleWithWebhook("critical");
      const channel = await addWebhookChannel(rule.ownerId, escalation.url, []);
      await saveNotificationSettings(db(), rule.ownerId, {
        escalationChannelId: channel.id,
        escalationMinutes: 1,
      });
      const fired = await fire(rule.deviceId);
      if (held === "acknowledged")
        await acknowledgeAlert(db(), rule.ownerId, fired.alertId, { actorId: rule.ownerId });
      if (held === "snoozed")
        await snoozeAlert(db(), rule.ownerId, fired.alertId, { actorId: rule.ownerId, until: minutes(60) });
      if (held === "window")
        await createMaintenanceWindow(db(), rule.ownerId, {
          name: "Later work",
          deviceId: rule.deviceId,
          kind: "once",
          startsAt: minutes(1),
          endsAt: minutes(60),
        });
      expect({ held, escalated: await escalateAlert(db(), fired.alertId, minutes(2)) }).toEqual({
        held,
        escalated: [],
      });
    }
  });
});
