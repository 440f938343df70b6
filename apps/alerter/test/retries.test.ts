// Webhook retries keep the queue's backoff (issue 12): a receiver down for minutes is retried by
// its queue chain, not re-queued by the sweep nor given up early; an attempt in progress is never
// claimed twice; a crashed attempt is taken over by the sweep once. Time past the test's own is
// simulated through the sweep's `now`; the queue's retries through Upstash-Retried.
import { useTestDatabase } from "@pulseboard/devstack/test";
import { alertDeliveries, sensorReadings } from "@pulseboard/schema";
import { claimDelivery } from "@pulseboard/schema/queries/alert-deliveries";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { leaseMs } from "../src/deliveries";
import { evaluateDevices } from "../src/evaluate";
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
const TIMEOUT_MS = 2000;

beforeAll(async () => {
  // QStash's own backoff (a 1 s unit: retries 12 s, 148 s, 30 min after the attempt before).
  alerter = await startAlerter(database.current.url, {
    QUEUE_RETRY_BASE_MS: 1000,
    WEBHOOK_MAX_ATTEMPTS: 3,
    WEBHOOK_TIMEOUT_MS: TIMEOUT_MS,
  });
  webhook = await startWebhookReceiver();
});
afterAll(async () => {
  await alerter?.close();
  await webhook?.close();
});

async function deliveryOf(eventId: string) {
  const [row] = await db().select().from(alertDeliveries).where(eq(alertDeliveries.eventId, eventId));
  if (!row) throw new Error("no delivery");
  return row;
}

/** A fired event with a pending webhook delivery, recorded without enqueueing it. */
async function firedEvent() {
  const rule = await setupRule(db(), {}, webhook.url);
  await db()
    .insert(sensorReadings)
    .values({
      deviceId: rule.deviceId,
      metric: "temperature",
      value: 99,
      recordedAt: new Date(Date.now() - 1000),
    });
  const [fired] = await evaluateDevices(db(), [rule.deviceId]);
  if (!fired) throw new Error("no transition");
  return {
    ...rule,
    eventId: fired.eventId,
    key: { eventId: fired.eventId, channelId: rule.channelId ?? "" },
  };
}

const callsFor = (eventId: string) =>
  webhook.calls.filter((c) => c.headers["x-pulseboard-event-id"] === eventId);
const later = (ms: number) => new Date(Date.now() + ms);

describe("a receiver down for minutes", () => {
  it("is retried by the queue's chain on its backoff: the sweep neither re-queues it nor is it failed early", async () => {
    const { deviceId, channelId: webhookChannel } = await setupRule(db(), {}, webhook.url);
    webhook.answers.push(500, 500);
    await db()
      .insert(sensorReadings)
      .values({ deviceId, metric: "temperature", value: 99, recordedAt: new Date(Date.now() - 1000) });
    // The transition's message: the queue's first attempt fails.
    const before = webhook.calls.length;
    await alerter.call("/v1/evaluate", { deviceIds: [deviceId] });
    await until(() => webhook.calls.length > before);
    const eventId = String(webhook.calls.at(-1)?.headers["x-pulseboard-event-id"]);
    await until(async () => (await deliveryOf(eventId)).status === "pending");
    const first = await deliveryOf(eventId);
    expect(first).toMatchObject({ attempts: 1, lastError: "HTTP 500", claimedUntil: null });
    // Due when the queue retries the message (12.2 s on), not at once.
    expect(first.nextAttemptAt.getTime() - Date.now()).toBeGreaterThan(10_000);

    // The queue's first retry (as QStash sends it, 12 s later): fails too; the next is 148 s on.
    const retry = await alerter.call(
      "/v1/deliver",
      { eventId, channelId: webhookChannel },
      { headers: { "upstash-retried": "1" } },
    );
    expect(retry.status).toBe(502);
    const second = await deliveryOf(eventId);
    expect(second).toMatchObject({ status: "pending", attempts: 2 });
    expect(second.nextAttemptAt.getTime() - Date.now()).toBeGreaterThan(140_000);

    // Sweeps over the next four minutes (the old 2-minute window long past): the retry is the
    // queue's, scheduled; nothing re-queues it, nothing attempts it, it is not failed.
    for (const minutes of [0, 2.5, 4]) {
      const result = await alerter.app.sweep({ now: later(minutes * 60_000) });
      expect(result.redelivered).toBe(0);
    }
    await new Promise((r) => setTimeout(r, 300));
    expect(callsFor(eventId)).toHaveLength(2);
    expect(await deliveryOf(eventId)).toEqual(second);

    // The queue's second retry, with the receiver back: delivered on the third and last attempt.
    const last = await alerter.call(
      "/v1/deliver",
      { eventId, channelId: webhookChannel },
      { headers: { "upstash-retried": "2" } },
    );
    expect(await last.json()).toEqual({ outcome: "delivered" });
    expect(await deliveryOf(eventId)).toMatchObject({ status: "delivered", attempts: 3 });
    expect(callsFor(eventId)).toHaveLength(3);
  });

  it("a chain lost past its due time and the grace is the sweep's", async () => {
    const { eventId } = await firedEvent();
    // The transition's message never sent (recorded without it): due since the transition.
    expect((await alerter.app.sweep({ now: later(60_000) })).redelivered).toBe(0);
    expect((await alerter.app.sweep({ now: later(121_000) })).redelivered).toBeGreaterThanOrEqual(1);
    await until(async () => (await deliveryOf(eventId)).status === "delivered");
    expect(callsFor(eventId)).toHaveLength(1);
  });
});

describe("a slow receiver", () => {
  it("takes most of the timeout and is attempted once: no concurrent delivery or sweep claims it again", async () => {
    const { eventId, channelId } = await firedEvent();
    webhook.delays.push(TIMEOUT_MS * 0.8);
    const attempt = alerter.call("/v1/deliver", { eventId, channelId });
    await until(() => callsFor(eventId).length === 1);
    // While it waits: the queue's duplicate message, and sweeps up to the end of the timeout.
    const duplicate = await alerter.call("/v1/deliver", { eventId, channelId });
    expect(await duplicate.json()).toEqual({ outcome: "not_pending" });
    for (const ms of [0, TIMEOUT_MS / 2, TIMEOUT_MS])
      expect((await alerter.app.sweep({ now: later(ms) })).redelivered).toBe(0);
    expect(await (await attempt).json()).toEqual({ outcome: "delivered" });
    await new Promise((r) => setTimeout(r, 300));
    expect(callsFor(eventId)).toHaveLength(1);
    expect(await deliveryOf(eventId)).toMatchObject({ status: "delivered", attempts: 1, claimedUntil: null });
  });
});

describe("a crashed attempt", () => {
  it("is taken over by the sweep once its lease ends, exactly once, and delivered once", async () => {
    const { eventId, key } = await firedEvent();
    // An alerter claimed it and died mid-attempt (nothing sent).
    expect(await claimDelivery(db(), key, leaseMs(TIMEOUT_MS))).toBeDefined();
    const crashedLeaseEnds = (await deliveryOf(eventId)).claimedUntil as Date;
    expect((await alerter.app.sweep()).redelivered).toBe(0);
    // (A message from before channels, naming no channel: the migrated webhook's delivery.)
    expect((await alerter.call("/v1/deliver", { eventId }).then((r) => r.json())) as unknown).toEqual({
      outcome: "not_pending",
    });

    // Just past the crashed lease: concurrent sweeps (two alerters, or a boot and a cron) take it
    // once. (Not further: the redelivery's own claim, on the real clock, must still be leased then.)
    const past = new Date(crashedLeaseEnds.getTime() + 1);
    const sweeps = await Promise.all([alerter.app.sweep({ now: past }), alerter.app.sweep({ now: past })]);
    expect(sweeps.map((s) => s.redelivered).reduce((a, b) => a + b)).toBe(1);
    await until(async () => (await deliveryOf(eventId)).status === "delivered");
    expect((await alerter.app.sweep({ now: past })).redelivered).toBe(0);
    await new Promise((r) => setTimeout(r, 300));
    expect(callsFor(eventId)).toHaveLength(1);
    // The crashed attempt counts: it may have been what crashed the alerter.
    expect(await deliveryOf(eventId)).toMatchObject({ attempts: 2 });
  });
});
