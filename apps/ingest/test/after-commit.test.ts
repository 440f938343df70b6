// What follows a commit: devices marked online, live hints on LISTEN, coalesced evaluation
// messages signed as QStash signs them.
import { useTestDatabase } from "@pulseboard/devstack/test";
import { alertRules } from "@pulseboard/schema";
import { createDirectClient } from "@pulseboard/schema/client";
import { EVALUATION_MESSAGE_DEVICES, evaluationMessage } from "@pulseboard/schema/evaluation-messages";
import { Receiver } from "@upstash/qstash";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { READINGS_CHANNEL } from "../src/after-commit";
import { provisionDevice, type RunningIngest, SIGNING_KEYS, startIngest, until } from "./harness";

const database = useTestDatabase();
let ingest: RunningIngest;

beforeAll(async () => {
  ingest = await startIngest(database.current.url);
});
afterAll(() => ingest?.close());

const post = (key: string, body: unknown) =>
  fetch(`${ingest.httpUrl}/v1/readings`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}` },
    body: JSON.stringify(body),
  });

describe("after each commit", () => {
  it("marks the device online with last_seen_at", async () => {
    const { deviceId, key } = await provisionDevice(database.current.db);
    expect((await post(key, { t: 1 })).status).toBe(202);
    const [device] = await until(
      () =>
        database.current.sql<
          { status: string; last_seen_at: string | null }[]
        >`select status, last_seen_at from devices where id = ${deviceId}`,
      (rows) => rows[0]?.status === "online",
    );
    expect(device?.last_seen_at).not.toBeNull();
  });

  it("sends a live hint with owner, device and metrics, received by LISTEN on the direct endpoint", async () => {
    const { deviceId, ownerId, key } = await provisionDevice(database.current.db);
    const listener = createDirectClient(database.current.directUrl);
    const hints: string[] = [];
    try {
      await listener.listen(READINGS_CHANNEL, (payload) => hints.push(payload));
      expect((await post(key, { temperature: 20, humidity: 30 })).status).toBe(202);
      // Hints for earlier tests' devices may still arrive: wait for this device's.
      const items = await until(
        async () => hints.flatMap((h) => JSON.parse(h) as { o: string; d: string; m: string[] }[]),
        (all) => all.some((i) => i.d === deviceId),
      );
      expect(items.filter((i) => i.d === deviceId)).toEqual([
        { o: ownerId, d: deviceId, m: ["temperature", "humidity"] },
      ]);
    } finally {
      await listener.end();
    }
  });

  it("enqueues one signed evaluation message per interval for devices with rules on the touched metrics", async () => {
    const withRule = await provisionDevice(database.current.db);
    const otherMetric = await provisionDevice(database.current.db);
    const noRule = await provisionDevice(database.current.db);
    await database.current.db.insert(alertRules).values([
      { deviceId: withRule.deviceId, metric: "temperature", comparator: "gt", threshold: 30 },
      { deviceId: otherMetric.deviceId, metric: "co2", comparator: "gt", threshold: 1000 },
    ]);
    const before = ingest.evaluations.length;
    // Many readings in quick succession: coalesced, never one message per reading.
    const started = Date.now();
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        Promise.all([
          post(withRule.key, { ts: Date.now() - 10_000 + i, values: { temperature: 20 + i } }),
          post(otherMetric.key, { ts: Date.now() - 10_000 + i, values: { temperature: 20 } }),
          post(noRule.key, { ts: Date.now() - 10_000 + i, values: { temperature: 20 } }),
        ]),
      ),
    );
    await until(
      async () => ingest.evaluations.length,
      (n) => n > before,
      5000,
    );
    await new Promise((r) => setTimeout(r, 300));
    const messages = ingest.evaluations.slice(before);
    // At most one message per interval (100 ms in this harness) however long the burst took on
    // this machine: never one per reading (120 here).
    const intervals = Math.floor((Date.now() - started) / 100) + 1;
    expect(messages.length).toBeLessThanOrEqual(intervals);
    expect(messages.length).toBeLessThan(120);
    const deviceIds = new Set(
      messages.flatMap((m) => (JSON.parse(m.body) as { deviceIds: string[] }).deviceIds),
    );
    expect(deviceIds).toEqual(new Set([withRule.deviceId]));

    // Signed exactly as QStash signs: the alerter's Receiver accepts it for its URL.
    const receiver = new Receiver({
      currentSigningKey: SIGNING_KEYS.current,
      nextSigningKey: SIGNING_KEYS.next,
    });
    const first = messages[0];
    expect(first?.url).toBe("/v1/evaluate");
    await expect(
      receiver.verify({
        signature: String(first?.headers["upstash-signature"]),
        body: first?.body ?? "",
        url: ingest.evaluateUrl,
      }),
    ).resolves.toBe(true);
  });

  it("a rule added while its device's answer is remembered still gets a reading's evaluation, once that memory ends", async () => {
    const device = await provisionDevice(database.current.db);
    // A reading with no rule: the ingest asks, and remembers "none" for RULES_CACHE_MS (1 s here).
    expect((await post(device.key, { ts: Date.now() - 2000, values: { temperature: 20 } })).status).toBe(202);
    await new Promise((r) => setTimeout(r, 300));
    await database.current.db
      .insert(alertRules)
      .values({ deviceId: device.deviceId, metric: "temperature", comparator: "gt", threshold: 30 });
    // One reading while "none" is still remembered, and nothing after it.
    const before = ingest.evaluations.length;
    const sentAt = Date.now();
    expect((await post(device.key, { ts: Date.now() - 1000, values: { temperature: 35 } })).status).toBe(202);
    const messages = await until(
      async () => ingest.evaluations.slice(before),
      (list) =>
        list.some((m) => (JSON.parse(m.body) as { deviceIds: string[] }).deviceIds.includes(device.deviceId)),
      5000,
    );
    expect(messages.length).toBeGreaterThan(0);
    // Asked again when the memory ended: within about RULES_CACHE_MS, not at the alerter's sweep.
    expect(Date.now() - sentAt).toBeLessThan(3000);
  });

  it("sends the first evaluation at once after a quiet interval, then at most one per interval", async () => {
    const slow = await startIngest(database.current.url, { EVALUATION_INTERVAL_MS: 1500 });
    try {
      const a = await provisionDevice(database.current.db);
      const b = await provisionDevice(database.current.db);
      await database.current.db.insert(alertRules).values([
        { deviceId: a.deviceId, metric: "t", comparator: "gt", threshold: 1 },
        { deviceId: b.deviceId, metric: "t", comparator: "gt", threshold: 1 },
      ]);
      const send = (key: string) =>
        fetch(`${slow.httpUrl}/v1/readings`, {
          method: "POST",
          headers: { authorization: `Bearer ${key}` },
          body: '{"t": 5}',
        });
      const started = Date.now();
      await send(a.key);
      await until(
        async () => slow.evaluations.length,
        (n) => n === 1,
        3000,
      );
      // At once, not an interval later (the throttle's delay is 0 here: throttles.test.ts); the
      // bound is the interval so that a loaded machine's slower request does not count.
      const first = Date.now() - started;
      expect(first).toBeLessThan(1500);
      await send(b.key);
      await until(
        async () => slow.evaluations.length,
        (n) => n === 2,
        4000,
      );
      const second = Date.now() - started;
      expect(second).toBeGreaterThanOrEqual(1400);
      expect(slow.evaluations.map((e) => (JSON.parse(e.body) as { deviceIds: string[] }).deviceIds)).toEqual([
        [a.deviceId],
        [b.deviceId],
      ]);
    } finally {
      await slow.close();
    }
  });

  it("splits a busy interval's devices into messages the alerter accepts, every device in one", async () => {
    const busy = await startIngest(database.current.url, { EVALUATION_INTERVAL_MS: 2000 });
    try {
      const fleet: { deviceId: string; key: string }[] = [];
      for (let i = 0; i < 600; i++) fleet.push(await provisionDevice(database.current.db));
      await database.current.db
        .insert(alertRules)
        .values(
          fleet.map((d) => ({ deviceId: d.deviceId, metric: "t", comparator: "gt" as const, threshold: 1 })),
        );
      // 600 devices report within one interval (50 requests at a time).
      for (let i = 0; i < fleet.length; i += 50) {
        const statuses = await Promise.all(
          fleet.slice(i, i + 50).map((d) =>
            fetch(`${busy.httpUrl}/v1/readings`, {
              method: "POST",
              headers: { authorization: `Bearer ${d.key}` },
              body: '{"t": 5}',
            }).then((r) => r.status),
          ),
        );
        expect(new Set(statuses)).toEqual(new Set([202]));
      }
      const sent = () =>
        busy.evaluations.flatMap((e) => (JSON.parse(e.body) as { deviceIds: string[] }).deviceIds);
      await until(
        async () => new Set(sent()).size,
        (n) => n === fleet.length,
        10_000,
      );
      const messages = busy.evaluations.map((e) => JSON.parse(e.body) as { deviceIds: string[] });
      for (const message of messages) {
        expect(message.deviceIds.length).toBeLessThanOrEqual(EVALUATION_MESSAGE_DEVICES);
        expect(evaluationMessage.safeParse(message).success).toBe(true);
      }
      // Before the split, the interval's 599 or so devices went as one message (over 250).
      expect(messages.length).toBeGreaterThanOrEqual(Math.ceil(fleet.length / EVALUATION_MESSAGE_DEVICES));
      expect(sent()).toHaveLength(fleet.length);
      expect(new Set(sent())).toEqual(new Set(fleet.map((d) => d.deviceId)));
    } finally {
      await busy.close();
    }
  });
});
