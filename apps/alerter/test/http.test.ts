// The alerter's signed endpoints over real HTTP, with the real local queue and webhook receiver.
import { useTestDatabase } from "@pulseboard/devstack/test";
import { signLikeQStash } from "@pulseboard/queue";
import { signWebhook } from "@pulseboard/runtime/webhook";
import { alertDeliveries, alertEvents, alerts, sensorReadings } from "@pulseboard/schema";
import { eq } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evaluateDevices } from "../src/evaluate";
import {
  KEYS,
  type RunningAlerter,
  setupRule,
  startAlerter,
  startWebhookReceiver,
  until,
  type WebhookReceiver,
} from "./harness";

const database = useTestDatabase();
let alerter: RunningAlerter;
let webhook: WebhookReceiver;
const db = () => database.current.db;

beforeAll(async () => {
  alerter = await startAlerter(database.current.url);
  webhook = await startWebhookReceiver();
});
afterAll(async () => {
  await alerter?.close();
  await webhook?.close();
});

async function breach(deviceId: string, value = 99) {
  await db()
    .insert(sensorReadings)
    .values({ deviceId, metric: "temperature", value, recordedAt: new Date(Date.now() - 1000) });
}

async function firingCount(ruleId: string) {
  return (await db().select().from(alerts).where(eq(alerts.ruleId, ruleId))).filter(
    (a) => a.status === "firing",
  ).length;
}

/** The webhook delivery of an event, by its id or its alert's (an alert's only event). */
async function deliveryOf(where: { eventId: string } | { alertId: string }) {
  const [row] = await db()
    .select({ delivery: alertDeliveries })
    .from(alertDeliveries)
    .innerJoin(alertEvents, eq(alertEvents.id, alertDeliveries.eventId))
    .where("eventId" in where ? eq(alertEvents.id, where.eventId) : eq(alertEvents.alertId, where.alertId));
  return row?.delivery;
}

describe("signature verification", () => {
  it("refuses QStash's public development key even with QSTASH_DEV set in the environment", async () => {
    // The local QStash dev server's signing keys are published in @upstash/qstash itself.
    const devKey = "sig_7kYjw48mhY7kAjqNGcy6cr29RJ6r";
    const { deviceId, ruleId } = await setupRule(db());
    await breach(deviceId);
    process.env.QSTASH_DEV = "true";
    try {
      const res = await alerter.call("/v1/evaluate", { deviceIds: [deviceId] }, { key: devKey });
      expect(res.status).toBe(401);
      expect(await firingCount(ruleId)).toBe(0);
    } finally {
      delete process.env.QSTASH_DEV;
    }
  });

  it("accepts a request signed with the current key, or the next one", async () => {
    const { deviceId, ruleId } = await setupRule(db());
    await breach(deviceId);
    const res = await alerter.call("/v1/evaluate", { deviceIds: [deviceId] }, { key: KEYS.next });
    expect(res.status).toBe(200);
    expect(await firingCount(ruleId)).toBe(1);
    expect((await alerter.call("/v1/evaluate", { deviceIds: [deviceId] })).status).toBe(200);
  });

  it("refuses, with 401 and no effect: missing, tampered, re-serialised, wrong URL, expired, unknown key", async () => {
    const { deviceId, ruleId } = await setupRule(db());
    await breach(deviceId);
    const raw = JSON.stringify({ deviceIds: [deviceId] });
    const url = `${alerter.publicUrl}/v1/evaluate`;
    const signed = signLikeQStash({ url, body: raw, signingKey: KEYS.current });
    const post = (body: string, signature?: string) =>
      fetch(`${alerter.url}/v1/evaluate`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...(signature ? { "upstash-signature": signature } : {}),
        },
        body,
      });
    const tampered = raw.replace(deviceId.slice(-1), deviceId.slice(-1) === "a" ? "b" : "a");
    const respaced = JSON.stringify({ deviceIds: [deviceId] }, null, 1);
    const attempts = [
      await post(raw),
      await post(tampered, signed),
      await post(respaced, signed),
      await post(
        raw,
        signLikeQStash({
          url: "https://elsewhere.example.com/v1/evaluate",
          body: raw,
          signingKey: KEYS.current,
        }),
      ),
      await post(
        raw,
        signLikeQStash({ url: `${alerter.publicUrl}/v1/sweep`, body: raw, signingKey: KEYS.current }),
      ),
      await post(
        raw,
        signLikeQStash({ url, body: raw, signingKey: KEYS.current, now: new Date(Date.now() - 3_600_000) }),
      ),
      await post(raw, signLikeQStash({ url, body: raw, signingKey: "sig_someone_else_entirely_000000" })),
    ];
    expect(attempts.map((r) => r.status)).toEqual([401, 401, 401, 401, 401, 401, 401]);
    expect(await firingCount(ruleId)).toBe(0);
    expect((await post(raw, signed)).status).toBe(200);
    expect(await firingCount(ruleId)).toBe(1);
  });

  it("a replayed message has no second effect", async () => {
    const { deviceId, ruleId } = await setupRule(db());
    await breach(deviceId);
    const raw = JSON.stringify({ deviceIds: [deviceId] });
    const signature = signLikeQStash({
      url: `${alerter.publicUrl}/v1/evaluate`,
      body: raw,
      signingKey: KEYS.current,
    });
    const send = () =>
      fetch(`${alerter.url}/v1/evaluate`, {
        method: "POST",
        headers: { "upstash-signature": signature },
        body: raw,
      }).then((r) => r.json() as Promise<{ transitions: unknown[] }>);
    expect((await send()).transitions).toHaveLength(1);
    expect((await send()).transitions).toHaveLength(0);
    const [alert] = await db().select().from(alerts).where(eq(alerts.ruleId, ruleId));
    expect(
      await db()
        .select()
        .from(alertEvents)
        .where(eq(alertEvents.alertId, alert?.id ?? "")),
    ).toHaveLength(1);
  });

  it("an old message delivered after the alert resolved does not reopen it unless the window still breaches", async () => {
    const { deviceId, ruleId } = await setupRule(db(), { aggregate: "last", threshold: 30 });
    const raw = JSON.stringify({ deviceIds: [deviceId] });
    const oldSignature = signLikeQStash({
      url: `${alerter.publicUrl}/v1/evaluate`,
      body: raw,
      signingKey: KEYS.current,
    });
    const replayOld = () =>
      fetch(`${alerter.url}/v1/evaluate`, {
        method: "POST",
        headers: { "upstash-signature": oldSignature },
        body: raw,
      });
    await breach(deviceId, 99);
    expect((await replayOld()).status).toBe(200);
    await db()
      .insert(sensorReadings)
      .values({ deviceId, metric: "temperature", value: 20, recordedAt: new Date() });
    await alerter.call("/v1/evaluate", { deviceIds: [deviceId] });
    expect(await firingCount(ruleId)).toBe(0);
    await replayOld();
    expect(await firingCount(ruleId)).toBe(0);
    await db()
      .insert(sensorReadings)
      .values({ deviceId, metric: "temperature", value: 98, recordedAt: new Date(Date.now() + 10) });
    await new Promise((r) => setTimeout(r, 20));
    await replayOld();
    expect(await firingCount(ruleId)).toBe(1);
  });

  it("a malformed body gets 489 Upstash-NonRetryable-Error (QStash does not retry it)", async () => {
    for (const raw of [
      '{"deviceIds": "nope"}',
      "not json",
      '{"deviceIds": []}',
      '{"deviceIds": ["not-a-uuid"]}',
    ]) {
      const res = await alerter.call("/v1/evaluate", undefined, { raw });
      expect(res.status, raw).toBe(489);
      expect(res.headers.get("upstash-nonretryable-error")).toBe("true");
    }
  });

  it("evaluates a message of 1,200 devices (more than four evaluation chunks), every one", async () => {
    const breaching = [await setupRule(db()), await setupRule(db())];
    for (const { deviceId } of breaching) await breach(deviceId);
    // The breaching devices at the start and the end, unknown ids between (no rules: nothing to do).
    const deviceIds = [
      breaching[0]?.deviceId ?? "",
      ...Array.from({ length: 1198 }, () => crypto.randomUUID()),
      breaching[1]?.deviceId ?? "",
    ];
    const res = await alerter.call("/v1/evaluate", { deviceIds });
    expect(res.status).toBe(200);
    const { transitions } = (await res.json()) as { transitions: { ruleId: string }[] };
    expect(transitions.map((t) => t.ruleId).sort()).toEqual(breaching.map((b) => b.ruleId).sort());
    for (const { ruleId } of breaching) expect(await firingCount(ruleId)).toBe(1);
  });

  it("a body over 256 KiB gets 489 too, and changes nothing", async () => {
    const { deviceId, ruleId } = await setupRule(db());
    await breach(deviceId);
    const raw = JSON.stringify({ deviceIds: [deviceId], padding: "x".repeat(256 * 1024) });
    const res = await alerter.call("/v1/evaluate", undefined, { raw });
    expect(res.status).toBe(489);
    expect(res.headers.get("upstash-nonretryable-error")).toBe("true");
    expect(await res.json()).toEqual({ error: "body too large" });
    expect(await firingCount(ruleId)).toBe(0);
  });
});

describe("webhook delivery", () => {
  it("delivers each transition once, signed in the Standard Webhooks format and, deprecated, as before", async () => {
    const { deviceId, secret } = await setupRule(db(), {}, webhook.url);
    const before = webhook.calls.length;
    await breach(deviceId);
    await Promise.all(
      Array.from({ length: 20 }, () => alerter.call("/v1/evaluate", { deviceIds: [deviceId] })),
    );
    await until(() => webhook.calls.length > before);
    await new Promise((r) => setTimeout(r, 300));
    const calls = webhook.calls.slice(before);
    expect(calls).toHaveLength(1);
    const call = calls[0];
    const timestamp = Number(call?.headers["x-pulseboard-timestamp"]);
    expect(Math.abs(timestamp - Date.now() / 1000)).toBeLessThan(30);
    expect(call?.headers["x-pulseboard-signature"]).toBe(signWebhook(secret, timestamp, call?.body ?? ""));
    // What a receiver with the standardwebhooks library checks: the id, timestamp and signature.
    const headers = Object.fromEntries(
      ["webhook-id", "webhook-timestamp", "webhook-signature"].map((h) => [h, String(call?.headers[h])]),
    );
    expect(new Webhook(secret).verify(call?.body ?? "", headers)).toMatchObject({ type: "alert.fired" });
    expect(Number(headers["webhook-timestamp"])).toBe(timestamp);
    expect(() => new Webhook(secret).verify(`${call?.body} `, headers)).toThrow();
    const payload = JSON.parse(call?.body ?? "{}") as {
      type: string;
      device: { id: string };
      rule: { metric: string };
    };
    expect(payload).toMatchObject({
      type: "alert.fired",
      device: { id: deviceId },
      rule: { metric: "temperature" },
    });
    expect(await deliveryOf({ eventId: String(call?.headers["x-pulseboard-event-id"]) })).toMatchObject({
      status: "delivered",
      attempts: 1,
      claimedUntil: null,
    });
  });

  it("retries a failing webhook with backoff, then gives up and records it as failed", async () => {
    const { deviceId } = await setupRule(db(), {}, webhook.url);
    webhook.answers.push(500, 503);
    const before = webhook.calls.length;
    await breach(deviceId);
    await alerter.call("/v1/evaluate", { deviceIds: [deviceId] });
    await until(() => webhook.calls.length >= before + 3);
    const eventId = String(webhook.calls.at(-1)?.headers["x-pulseboard-event-id"]);
    await until(async () => (await deliveryOf({ eventId }))?.status === "delivered");

    const failing = await setupRule(db(), {}, webhook.url);
    webhook.answers.push(500, 500, 500, 500);
    await breach(failing.deviceId);
    await alerter.call("/v1/evaluate", { deviceIds: [failing.deviceId] });
    const [alert] = await db().select().from(alerts).where(eq(alerts.ruleId, failing.ruleId));
    await until(async () => (await deliveryOf({ alertId: alert?.id ?? "" }))?.status === "failed");
    expect(await deliveryOf({ alertId: alert?.id ?? "" })).toMatchObject({
      status: "failed",
      attempts: 3,
      lastError: "HTTP 500",
      claimedUntil: null,
    });
    webhook.answers.length = 0;
  });

  it("without a webhook set, the event is recorded as skipped", async () => {
    const { deviceId, ruleId } = await setupRule(db());
    await breach(deviceId);
    await alerter.call("/v1/evaluate", { deviceIds: [deviceId] });
    const [alert] = await db().select().from(alerts).where(eq(alerts.ruleId, ruleId));
    await until(async () => (await deliveryOf({ alertId: alert?.id ?? "" }))?.status === "skipped");
  });
});

describe("webhook address guard (issue 12, SSRF)", () => {
  const spellings = (port: number) => [
    `http://127.0.0.1:${port}/hooks/secret-path?token=t0k3n`,
    `http://localhost:${port}/hooks/secret-path?token=t0k3n`,
    `http://[::ffff:127.0.0.1]:${port}/hooks/secret-path?token=t0k3n`,
    `http://2130706433:${port}/hooks/secret-path?token=t0k3n`,
  ];

  async function webhookDeliveryOf(ruleId: string) {
    const [alert] = await db().select().from(alerts).where(eq(alerts.ruleId, ruleId));
    return deliveryOf({ alertId: alert?.id ?? "" });
  }

  it("without WEBHOOK_ALLOW_PRIVATE, loopback in any spelling gets nothing; the owner reads a generic error", async () => {
    const strict = await startAlerter(database.current.url, { WEBHOOK_ALLOW_PRIVATE: false });
    const internal = await startWebhookReceiver();
    try {
      for (const url of spellings(Number(new URL(internal.url).port))) {
        const { deviceId, ruleId } = await setupRule(db(), {}, url);
        await breach(deviceId);
        await strict.call("/v1/evaluate", { deviceIds: [deviceId] });
        await until(async () => (await webhookDeliveryOf(ruleId))?.status === "failed");
        expect({ url, delivery: await webhookDeliveryOf(ruleId) }).toMatchObject({
          url,
          delivery: { attempts: 3, lastError: "the address is not allowed" },
        });
      }
      expect(internal.calls).toEqual([]);
      // The reason is in the server log, with the URL's origin only (its path may hold secrets).
      const failures = strict.logs.filter((l) => l.msg === "delivery attempt failed");
      expect(failures.length).toBeGreaterThanOrEqual(12);
      expect(failures[0]).toMatchObject({ origin: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) });
      expect(failures.map((l) => l.reason)).toContain("localhost names loopback");
      expect(JSON.stringify(strict.logs)).not.toMatch(/secret-path|t0k3n/);
    } finally {
      await strict.close();
      await internal.close();
    }
  });

  it("with WEBHOOK_ALLOW_PRIVATE (a LAN receiver), the same spellings are delivered", async () => {
    const before = webhook.calls.length;
    for (const url of spellings(Number(new URL(webhook.url).port))) {
      const { deviceId, ruleId } = await setupRule(db(), {}, url);
      await breach(deviceId);
      await alerter.call("/v1/evaluate", { deviceIds: [deviceId] });
      await until(async () => (await webhookDeliveryOf(ruleId))?.status === "delivered");
    }
    expect(webhook.calls.length - before).toBe(4);
  });

  it("a receiver that does not answer is reported in generic words, the socket error logged", async () => {
    const gone = await startWebhookReceiver();
    await gone.close();
    const { deviceId, ruleId } = await setupRule(db(), {}, gone.url);
    await breach(deviceId);
    await alerter.call("/v1/evaluate", { deviceIds: [deviceId] });
    await until(async () => (await webhookDeliveryOf(ruleId))?.status === "failed");
    const delivery = await webhookDeliveryOf(ruleId);
    expect(delivery).toMatchObject({ lastError: "the receiver did not answer" });
    const eventId = delivery?.eventId;
    const logged = alerter.logs.find((l) => l.msg === "delivery attempt failed" && l.eventId === eventId);
    expect(logged?.reason).toMatch(/ECONNREFUSED/);
  });
});

describe("sweep", () => {
  it("without QStash, a local timer asks for it through the signed queue", async () => {
    const timed = await startAlerter(database.current.url, { SWEEP_INTERVAL_MS: 100 });
    try {
      await until(async () => {
        const text = await (await fetch(`${timed.url}/metrics`)).text();
        return /alerter_evaluations_total\{trigger="sweep"\} [1-9]/.test(text);
      });
    } finally {
      await timed.close();
    }
  });

  it("evaluates every rule (windows that emptied resolve) and re-delivers undelivered events", async () => {
    const { deviceId, ruleId } = await setupRule(db(), { noData: "resolve" }, webhook.url);
    await breach(deviceId);
    // Fired by another alerter's message: this one's sweep knows nothing of it (below: what it
    // evaluated itself just now, it leaves out).
    const other = await startAlerter(database.current.url);
    try {
      await other.call("/v1/evaluate", { deviceIds: [deviceId] });
    } finally {
      await other.close();
    }
    expect(await firingCount(ruleId)).toBe(1);
    await db().delete(sensorReadings).where(eq(sensorReadings.deviceId, deviceId));
    const before = webhook.calls.length;
    const res = await alerter.call("/v1/sweep", {});
    expect(res.status).toBe(200);
    expect(await firingCount(ruleId)).toBe(0);
    await until(() => webhook.calls.some((c, i) => i >= before && c.body.includes('"alert.resolved"')));
  });

  it("leaves out the devices this alerter evaluated from a message in the last seconds", async () => {
    const evaluated = await setupRule(db());
    await alerter.call("/v1/evaluate", { deviceIds: [evaluated.deviceId] });
    // A breach after the message (its own message would follow): the sweep leaves the device to it.
    await breach(evaluated.deviceId);
    const unevaluated = await setupRule(db());
    await breach(unevaluated.deviceId);
    expect((await alerter.call("/v1/sweep", {})).status).toBe(200);
    expect(await firingCount(evaluated.ruleId)).toBe(0);
    expect(await firingCount(unevaluated.ruleId)).toBe(1);
  });

  it("re-delivers an event recorded but never delivered (a lost queue message)", async () => {
    const { deviceId } = await setupRule(db(), {}, webhook.url);
    await breach(deviceId);
    // Recorded by an evaluation whose queue message never went (the process died after commit).
    const [fired] = await evaluateDevices(db(), [deviceId]);
    await db()
      .update(alertDeliveries)
      .set({ nextAttemptAt: new Date(Date.now() - 10 * 60_000) })
      .where(eq(alertDeliveries.eventId, fired?.eventId ?? ""));
    const before = webhook.calls.length;
    const res = await alerter.call("/v1/sweep", {});
    expect(((await res.json()) as { redelivered: number }).redelivered).toBeGreaterThanOrEqual(1);
    await until(() =>
      webhook.calls.slice(before).some((c) => c.headers["x-pulseboard-event-id"] === fired?.eventId),
    );
    await until(async () => (await deliveryOf({ eventId: fired?.eventId ?? "" }))?.status === "delivered");
  });

  it("/metrics counts evaluations, transitions, latency and webhook outcomes", async () => {
    const text = await (await fetch(`${alerter.url}/metrics`)).text();
    expect(text).toMatch(/alerter_evaluations_total\{trigger="evaluate"\} [1-9]/);
    expect(text).toMatch(/alerter_transitions_total\{kind="fired"\} [1-9]/);
    expect(text).toMatch(/alerter_evaluation_duration_seconds_count\{trigger="evaluate"\} [1-9]/);
    expect(text).toMatch(/alerter_webhook_deliveries_total\{outcome="delivered"\} [1-9]/);
    expect(text).toMatch(/alerter_webhook_deliveries_total\{outcome="failed"\} [1-9]/);
    expect(text).toMatch(/alerter_rejected_requests_total\{reason="signature"\} [1-9]/);
  });
});
