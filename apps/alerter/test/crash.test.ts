// The alerter killed between a transition's commit and its webhook delivery: after the restart
// the webhook gets the event exactly once.
import { useTestDatabase } from "@pulseboard/devstack/test";
import { reapAll, spawnTs } from "@pulseboard/devstack/test/process";
import { startTcpProxy } from "@pulseboard/devstack/test/tcp-proxy";
import { signLikeQStash } from "@pulseboard/queue";
import { findFreePort } from "@pulseboard/runtime/ports";
import { alertDeliveries, alertEvents, sensorReadings } from "@pulseboard/schema";
import { afterAll, describe, expect, it } from "vitest";
import { KEYS, setupRule, startWebhookReceiver } from "./harness";

const database = useTestDatabase();
afterAll(reapAll);

describe("crash between commit and delivery", () => {
  it("the webhook still gets the event, exactly once", async () => {
    const webhook = await startWebhookReceiver();
    const port = await findFreePort();
    // The public URL goes through a proxy we can cut: the queue's delivery to /v1/deliver fails
    // (and waits a long backoff) while the evaluation itself is called directly.
    const proxy = await startTcpProxy(port);
    const publicUrl = `http://127.0.0.1:${proxy.port}`;
    const env = {
      PATH: process.env.PATH,
      HOST: "127.0.0.1",
      ALERTER_PORT: String(port),
      ALERTER_PUBLIC_URL: publicUrl,
      DATABASE_URL: database.current.url,
      QSTASH_CURRENT_SIGNING_KEY: KEYS.current,
      QSTASH_NEXT_SIGNING_KEY: KEYS.next,
      QUEUE_RETRY_BASE_MS: "60000",
      // The test receiver listens on loopback.
      WEBHOOK_ALLOW_PRIVATE: "1",
    };
    try {
      const { deviceId } = await setupRule(database.current.db, {}, webhook.url);
      await database.current.db
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
      const [event] = await database.current.db.select().from(alertEvents);
      const [delivery] = await database.current.db.select().from(alertDeliveries);
      expect(delivery).toMatchObject({ eventId: event?.id, status: "pending", attempts: 0 });
      expect(webhook.calls).toHaveLength(0);

      proxy.restore();
      alerter = spawnTs("apps/alerter", "src/server.ts", env);
      await alerter.waitFor(/alerter HTTP listening/);
      const deadline = Date.now() + 10_000;
      while (webhook.calls.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 1000));
      expect(webhook.calls).toHaveLength(1);
      expect(webhook.calls[0]?.headers["x-pulseboard-event-id"]).toBe(event?.id);
      await alerter.stop();
    } finally {
      await proxy.close();
      await webhook.close();
    }
  }, 40_000);
});
