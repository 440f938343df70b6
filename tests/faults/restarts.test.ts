// The fault suite's serial file: processes killed with SIGKILL and the database restarted in the
// middle of a stream, against a PostgreSQL cluster this file owns (it stops and starts it; the run's
// shared PostgreSQL is never touched). Embedded run only: nothing here depends on which PostgreSQL
// the other runs point at. Each case prints its figures ("faults: …") and asserts on them.
import { reapAll, spawnTs } from "@pulseboard/devstack/test/process";
import { startTcpProxy } from "@pulseboard/devstack/test/tcp-proxy";
import { signLikeQStash } from "@pulseboard/queue";
import { findFreePort } from "@pulseboard/runtime/ports";
import { alertDeliveries, alertEvents, sensorReadings } from "@pulseboard/schema";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KEYS, setupRule, startWebhookReceiver } from "../../apps/alerter/test/harness";
import { externalBrokerAvailable, startExternalBroker } from "../../apps/ingest/test/broker-fixture";
import { ingestProcessEnv, provisionDevice, startIngest } from "../../apps/ingest/test/harness";
import {
  embeddedRun,
  figures,
  type PrivatePostgres,
  publishStream,
  startPrivatePostgres,
  storedPerSeq,
  tally,
  waitUntil,
} from "./support";

let pg: PrivatePostgres;

describe.skipIf(!embeddedRun)("faults: kills and restarts (private PostgreSQL)", () => {
  beforeAll(async () => {
    pg = await startPrivatePostgres();
  });
  afterAll(async () => {
    await reapAll();
    await pg?.close();
  });

  const ingestEnv = (extra: NodeJS.ProcessEnv = {}) => ingestProcessEnv(pg.url, extra);

  // Three devices stream at once, one per kind of message: with its own `ts`, with a `mid`, and
  // neither (stamped with the receive time, so a resent one that was in fact committed is stored
  // again: counted and printed, not hidden).
  const base = Date.now() - 3_600_000;
  const variants = [
    { name: "ts", body: (n: number) => JSON.stringify({ ts: base + n, values: { seq: n } }), once: true },
    { name: "mid", body: (n: number) => JSON.stringify({ seq: n, mid: `boot-1:${n}` }), once: true },
    { name: "server-timestamped", body: (n: number) => JSON.stringify({ seq: n }), once: false },
  ] as const;

  it("ingest SIGKILL mid-stream (built-in broker, QoS 1), restart, resend: acknowledged messages stored exactly once", async () => {
    const devices = await Promise.all(variants.map(() => provisionDevice(pg.db)));
    const env = await ingestEnv();
    const url = `mqtt://127.0.0.1:${env.MQTT_PORT}`;
    let ingest = spawnTs("apps/ingest", "src/server.ts", env);
    await ingest.waitFor(/ingest HTTP listening/);
    const clients = await Promise.all(variants.map(() => mqtt.connectAsync(url, { reconnectPeriod: 0 })));
    for (const c of clients) c.on("error", () => {});
    const streams = variants.map((v, i) =>
      publishStream(clients[i] as mqtt.MqttClient, `devices/${devices[i]?.key}/readings`, v.body),
    );
    // Mid-stream: each device has 200 acknowledged and more unacknowledged.
    await waitUntil(
      () => streams.every((s) => s.acked.size >= 200 && s.sent.size > s.acked.size),
      30_000,
      "200 acknowledged per device",
    );
    ingest.signal("SIGKILL");
    await ingest.exited;
    for (const c of clients) c.end(true);
    await Promise.all(streams.map((s) => s.stop()));
    const ackedBeforeKill = streams.map((s) => new Set(s.acked));

    // Restart; each device sends again what it never saw acknowledged, as a device does.
    ingest = spawnTs("apps/ingest", "src/server.ts", env);
    await ingest.waitFor(/ingest HTTP listening/);
    const again = await mqtt.connectAsync(url, { reconnectPeriod: 0 });
    await Promise.all(
      streams.flatMap((s, i) =>
        [...s.sent]
          .filter((n) => !s.acked.has(n))
          .map((n) =>
            again.publishAsync(`devices/${devices[i]?.key}/readings`, variants[i]?.body(n) ?? "", { qos: 1 }),
          ),
      ),
    );
    await again.endAsync();
    await ingest.stop();

    for (const [i, v] of variants.entries()) {
      const s = streams[i];
      const acked = ackedBeforeKill[i];
      if (!s || !acked) throw new Error("no stream");
      const stored = await storedPerSeq(pg.sql, devices[i]?.deviceId ?? "");
      const t = tally(s.sent, stored);
      figures(`ingest SIGKILL (built-in, QoS 1, ${v.name})`, {
        published: s.sent.size,
        "acknowledged before kill": acked.size,
        resent: s.sent.size - acked.size,
        stored: t.stored,
        lost: tally(acked, stored).lost,
        [v.once ? "doubled" : "duplicates (server-timestamped, at least once)"]: t.extraRows,
      });
      expect(acked.size).toBeGreaterThanOrEqual(200);
      expect(s.sent.size).toBeGreaterThan(acked.size);
      // Every message sent (acknowledged, or resent until acknowledged) is stored.
      expect(t.lost).toBe(0);
      expect(t.stored).toBe(s.sent.size);
      if (v.once) expect(t.extraRows).toBe(0);
      else expect(t.stored + t.extraRows).toBeGreaterThanOrEqual(acked.size);
    }
  }, 90_000);

  it.skipIf(!externalBrokerAvailable)(
    "ingest SIGKILL mid-stream (external Mosquitto, persistent sessions): the broker redelivers, stored exactly once",
    async () => {
      const broker = await startExternalBroker();
      const prefix = `faults-${process.pid}-${Date.now()}`;
      const clientIds = [`${prefix}-0`, `${prefix}-1`];
      try {
        const devices = await Promise.all(variants.map(() => provisionDevice(pg.db)));
        const env = await ingestEnv({ MQTT_URL: broker.url, MQTT_CLIENT_ID: prefix, MQTT_SUBSCRIBERS: "2" });
        let ingest = spawnTs("apps/ingest", "src/server.ts", env);
        await ingest.waitFor(/ingest HTTP listening/);
        await waitUntil(
          async () => (await fetch(`http://127.0.0.1:${env.INGEST_PORT}/readyz`)).ok,
          10_000,
          "ready",
        );
        const publisher = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
        // Within the broker's queue per session (max_queued_messages) while the ingest is down.
        const perDevice = 400;
        const streams = variants.map((v, i) =>
          publishStream(publisher, `devices/${devices[i]?.key}/readings`, v.body, {
            max: perDevice,
            window: 20,
          }),
        );
        const storedRows = async () => {
          const [row] = await pg.sql<{ n: number }[]>`
            select count(*)::int as n from sensor_readings
            where device_id in ${pg.sql(devices.map((d) => d.deviceId))}`;
          return row?.n ?? 0;
        };
        // Kill once a quarter is stored; the publisher keeps going (the broker acknowledges it).
        await waitUntil(async () => (await storedRows()) >= (perDevice * 3) / 4, 30_000, "a quarter stored");
        ingest.signal("SIGKILL");
        await ingest.exited;
        const atKill = await storedRows();
        await Promise.all(streams.map((s) => s.done));
        await Promise.all(streams.map((s) => s.settled()));
        await publisher.endAsync();

        ingest = spawnTs("apps/ingest", "src/server.ts", env);
        await ingest.waitFor(/ingest HTTP listening/);
        await waitUntil(async () => (await storedRows()) >= perDevice * 3, 30_000, "every message stored");
        // Nothing more arrives.
        await new Promise((r) => setTimeout(r, 500));
        await ingest.stop();

        for (const [i, v] of variants.entries()) {
          const s = streams[i];
          if (!s) throw new Error("no stream");
          const stored = await storedPerSeq(pg.sql, devices[i]?.deviceId ?? "");
          const t = tally(s.acked, stored);
          figures(`ingest SIGKILL (Mosquitto, QoS 1, ${v.name})`, {
            published: s.sent.size,
            "acknowledged by broker": s.acked.size,
            "rows at kill (all devices)": atKill,
            stored: t.stored,
            lost: t.lost,
            [v.once ? "doubled" : "duplicates (server-timestamped, at least once)"]: t.extraRows,
          });
          expect(s.acked.size).toBe(perDevice);
          expect(t.lost).toBe(0);
          expect(t.stored).toBe(perDevice);
          if (v.once) expect(t.extraRows).toBe(0);
        }
        expect(atKill).toBeLessThan(perDevice * 3);
      } finally {
        await broker.forgetSessions(clientIds).catch(() => {});
        await broker.stop();
      }
    },
    90_000,
  );

  it("database restarted mid-stream: PUBACKs held and HTTP 503, recovery by itself, nothing lost or doubled", async () => {
    const mqttDevice = await provisionDevice(pg.db);
    const httpDevice = await provisionDevice(pg.db);
    const ingest = await startIngest(pg.url, { DEVICE_RATE_PER_SECOND: 100_000, DEVICE_RATE_BURST: 100_000 });
    const publisher = await mqtt.connectAsync(ingest.mqttUrl, { reconnectPeriod: 0 });
    try {
      const stream = publishStream(
        publisher,
        `devices/${mqttDevice.key}/readings`,
        (n) => JSON.stringify({ ts: base + n, values: { seq: n } }),
        { window: 20 },
      );
      // HTTP: 4 senders, readings stamped by the server, each message with its Idempotency-Key;
      // a 503 is retried with the same request (sooner than Retry-After, to keep the test short).
      const http = {
        accepted: new Set<number>(),
        unavailable: 0,
        retryAfter: new Set<string>(),
        other: [] as number[],
      };
      let httpSeq = 0;
      let sending = true;
      const statusLog: { at: number; status: number }[] = [];
      const sender = async () => {
        while (sending) {
          const n = httpSeq++;
          for (;;) {
            const res = await fetch(`${ingest.httpUrl}/v1/readings`, {
              method: "POST",
              headers: { authorization: `Bearer ${httpDevice.key}`, "idempotency-key": `h-${n}` },
              body: JSON.stringify({ seq: n }),
            }).catch(() => undefined);
            statusLog.push({ at: Date.now(), status: res?.status ?? 0 });
            await res?.text();
            if (res?.status === 202) {
              http.accepted.add(n);
              break;
            }
            if (res?.status === 503) {
              http.unavailable++;
              http.retryAfter.add(res.headers.get("retry-after") ?? "");
            } else http.other.push(res?.status ?? 0);
            await new Promise((r) => setTimeout(r, 100));
          }
        }
      };
      const senders = Array.from({ length: 4 }, sender);
      await waitUntil(() => stream.acked.size >= 300 && http.accepted.size >= 50, 30_000, "a stream going");

      await pg.stop();
      const stoppedAt = Date.now();
      // Acknowledgements of commits made just before the stop may still be on their way.
      await new Promise((r) => setTimeout(r, 1000));
      const ackedInOutage = stream.acked.size;
      const httpAcceptedInOutage = http.accepted.size;
      await new Promise((r) => setTimeout(r, 2000));
      const ackedDuringOutage = stream.acked.size - ackedInOutage;
      const httpAcceptedDuringOutage = http.accepted.size - httpAcceptedInOutage;
      const heldPubacks = stream.sent.size - stream.acked.size;
      const unavailableDuringOutage = statusLog.filter((s) => s.at > stoppedAt && s.status === 503).length;

      await pg.start();
      const restartedAt = Date.now();
      await waitUntil(
        () => stream.acked.size >= ackedInOutage + 300 && http.accepted.size >= httpAcceptedInOutage + 50,
        60_000,
        "the stream to go on after the restart",
      );
      const recoveryMs = Date.now() - restartedAt;
      sending = false;
      await stream.stop();
      await stream.settled();
      await Promise.all(senders);

      const mqttStored = await storedPerSeq(pg.sql, mqttDevice.deviceId);
      const httpStored = await storedPerSeq(pg.sql, httpDevice.deviceId);
      const m = tally(stream.acked, mqttStored);
      const h = tally(http.accepted, httpStored);
      figures("database restarted mid-stream (MQTT QoS 1, ts)", {
        published: stream.sent.size,
        acknowledged: stream.acked.size,
        "acks while down": ackedDuringOutage,
        "PUBACKs held at restart": heldPubacks,
        "recovered in ms": recoveryMs,
        stored: m.stored,
        lost: m.lost,
        doubled: m.extraRows,
      });
      figures("database restarted mid-stream (HTTP, Idempotency-Key)", {
        accepted: http.accepted.size,
        "503 answers": http.unavailable,
        "503 while down": unavailableDuringOutage,
        "202 while down": httpAcceptedDuringOutage,
        "Retry-After": [...http.retryAfter].join("/"),
        stored: h.stored,
        lost: h.lost,
        doubled: h.extraRows,
      });
      expect(ackedDuringOutage).toBe(0);
      expect(heldPubacks).toBeGreaterThan(0);
      expect(httpAcceptedDuringOutage).toBe(0);
      expect(unavailableDuringOutage).toBeGreaterThan(0);
      expect([...http.retryAfter].every((v) => Number(v) > 0)).toBe(true);
      expect(http.other).toEqual([]);
      // Every publish settled acknowledged: nothing was refused for the outage.
      expect(stream.acked.size).toBe(stream.sent.size);
      expect([m.lost, m.extraRows, h.lost, h.extraRows]).toEqual([0, 0, 0, 0]);
      expect(m.stored).toBe(stream.acked.size);
      expect(h.stored).toBe(http.accepted.size);
    } finally {
      await publisher.endAsync(true);
      await ingest.close();
    }
  }, 120_000);

  it("alerter SIGKILL between a transition's commit and its webhook: delivered once after the restart", async () => {
    const webhook = await startWebhookReceiver();
    const port = await findFreePort();
    // The public URL goes through a proxy we cut: the queue's call to /v1/deliver fails (and waits
    // a long backoff) while the evaluation itself is called directly, so the kill lands between
    // the commit and the webhook.
    const proxy = await startTcpProxy(port);
    const publicUrl = `http://127.0.0.1:${proxy.port}`;
    const env = {
      PATH: process.env.PATH,
      HOST: "127.0.0.1",
      ALERTER_PORT: String(port),
      ALERTER_PUBLIC_URL: publicUrl,
      DATABASE_URL: pg.url,
      QSTASH_CURRENT_SIGNING_KEY: KEYS.current,
      QSTASH_NEXT_SIGNING_KEY: KEYS.next,
      QUEUE_RETRY_BASE_MS: "60000",
      // The test receiver listens on loopback.
      WEBHOOK_ALLOW_PRIVATE: "1",
    };
    try {
      const { deviceId, ruleId } = await setupRule(pg.db, {}, webhook.url);
      await pg.db
        .insert(sensorReadings)
        .values({ deviceId, metric: "temperature", value: 99, recordedAt: new Date(Date.now() - 1000) });
      proxy.cut();
      let alerter = spawnTs("apps/alerter", "src/server.ts", env);
      await alerter.waitFor(/alerter HTTP listening/);
      const raw = JSON.stringify({ deviceIds: [deviceId] });
      const res = await fetch(`http://127.0.0.1:${port}/v1/evaluate`, {
        method: "POST",
        headers: {
          "upstash-signature": signLikeQStash({
            url: `${publicUrl}/v1/evaluate`,
            body: raw,
            signingKey: KEYS.current,
          }),
        },
        body: raw,
      });
      expect(res.status).toBe(200);
      // Committed, not delivered: kill it.
      await new Promise((r) => setTimeout(r, 200));
      alerter.signal("SIGKILL");
      await alerter.exited;
      const events = await pg.sql<{ id: string }[]>`
        select e.id from alert_events e join alerts a on a.id = e.alert_id where a.rule_id = ${ruleId}`;
      const before = await pg.db.select().from(alertDeliveries);
      const callsBeforeRestart = webhook.calls.length;

      proxy.restore();
      alerter = spawnTs("apps/alerter", "src/server.ts", env);
      await alerter.waitFor(/alerter HTTP listening/);
      await waitUntil(() => webhook.calls.length > 0, 15_000, "the webhook");
      // Anything more would come now.
      await new Promise((r) => setTimeout(r, 1000));
      await alerter.stop();
      const ids = webhook.calls.map((c) => c.headers["x-pulseboard-event-id"]);
      const after = await pg.db.select().from(alertDeliveries);
      figures("alerter SIGKILL between commit and webhook", {
        events: events.length,
        "webhook calls before restart": callsBeforeRestart,
        "webhook calls after restart": webhook.calls.length,
        "distinct event ids": new Set(ids).size,
        "delivery rows": after.length,
        "delivery status": after.map((d) => d.status).join("/"),
      });
      expect(events).toHaveLength(1);
      expect(before).toHaveLength(1);
      expect(before[0]).toMatchObject({ eventId: events[0]?.id, status: "pending", attempts: 0 });
      expect(callsBeforeRestart).toBe(0);
      expect(webhook.calls).toHaveLength(1);
      expect(ids).toEqual([events[0]?.id]);
      expect(after).toHaveLength(1);
      expect(after[0]?.status).toBe("delivered");
      expect(await pg.db.select().from(alertEvents)).toHaveLength(1);
    } finally {
      await proxy.close();
      await webhook.close();
    }
  }, 60_000);
});
