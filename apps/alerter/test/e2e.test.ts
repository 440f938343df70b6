// End to end, as deployed locally: the ingest and the alerter as processes, the ingest's built-in
// broker, the local queue between them signing like QStash. Readings over MQTT cross a threshold:
// the alert fires and the owner's webhook receives a verifiable, signed `fired`; readings return:
// `resolved`, once.
import { useTestDatabase } from "@pulseboard/devstack/test";
import { reapAll, spawnTs } from "@pulseboard/devstack/test/process";
import { findFreePort } from "@pulseboard/runtime/ports";
import { signWebhook } from "@pulseboard/runtime/webhook";
import { deviceKeyDigest, devices, generateDeviceKey } from "@pulseboard/schema";
import { eq } from "drizzle-orm";
import mqtt from "mqtt";
import { afterAll, describe, expect, it } from "vitest";
import { KEYS, setupRule, startWebhookReceiver } from "./harness";

const database = useTestDatabase();
afterAll(reapAll);

describe("ingest -> alerter -> webhook", () => {
  it("fires and resolves once, each delivered signed to the owner's webhook", async () => {
    const webhook = await startWebhookReceiver();
    const { deviceId, secret } = await setupRule(
      database.current.db,
      { threshold: 30, windowSeconds: 5, aggregate: "last" },
      webhook.url,
    );
    const key = generateDeviceKey();
    await database.current.db
      .update(devices)
      .set({ deviceKey: deviceKeyDigest(key) })
      .where(eq(devices.id, deviceId));

    const alerterPort = await findFreePort();
    const mqttPort = await findFreePort();
    const common = {
      PATH: process.env.PATH,
      HOST: "127.0.0.1",
      DATABASE_URL: database.current.url,
      QSTASH_CURRENT_SIGNING_KEY: KEYS.current,
      QSTASH_NEXT_SIGNING_KEY: KEYS.next,
    };
    const alerter = spawnTs("apps/alerter", "src/server.ts", {
      ...common,
      ALERTER_PORT: String(alerterPort),
      QUEUE_RETRY_BASE_MS: "20",
      // The test receiver listens on loopback.
      WEBHOOK_ALLOW_PRIVATE: "1",
    });
    const ingest = spawnTs("apps/ingest", "src/server.ts", {
      ...common,
      INGEST_PORT: String(await findFreePort()),
      MQTT_PORT: String(mqttPort),
      MQTT_WS_PORT: String(await findFreePort()),
      ALERTER_URL: `http://127.0.0.1:${alerterPort}`,
      EVALUATION_INTERVAL_MS: "200",
    });
    try {
      await Promise.all([alerter.waitFor(/alerter HTTP listening/), ingest.waitFor(/ingest HTTP listening/)]);
      const device = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, {
        username: key,
        reconnectPeriod: 0,
      });
      const publish = (value: number) =>
        device.publishAsync(`devices/${key}/readings`, JSON.stringify({ temperature: value }), { qos: 1 });
      const waitForCalls = async (n: number) => {
        const deadline = Date.now() + 15_000;
        while (webhook.calls.length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
        expect(webhook.calls.length).toBeGreaterThanOrEqual(n);
      };

      await publish(25);
      await publish(35);
      await waitForCalls(1);
      const fired = webhook.calls[0];
      const firedAt = Number(fired?.headers["x-pulseboard-timestamp"]);
      expect(fired?.headers["x-pulseboard-signature"]).toBe(signWebhook(secret, firedAt, fired?.body ?? ""));
      expect(JSON.parse(fired?.body ?? "{}")).toMatchObject({
        type: "alert.fired",
        value: 35,
        device: { id: deviceId },
      });

      await publish(36);
      await publish(20);
      await waitForCalls(2);
      await publish(19);
      await new Promise((r) => setTimeout(r, 1000));
      expect(webhook.calls.map((c) => (JSON.parse(c.body) as { type: string }).type)).toEqual([
        "alert.fired",
        "alert.resolved",
      ]);
      const [alert] = await database.current.sql<{ status: string; n: number }[]>`
        select a.status, (select count(*)::int from alerts where device_id = ${deviceId}) as n
        from alerts a where a.device_id = ${deviceId}`;
      expect(alert).toEqual({ status: "resolved", n: 1 });
      await device.endAsync();
    } finally {
      await Promise.all([ingest.stop(), alerter.stop()]);
      await webhook.close();
    }
  }, 60_000);
});
