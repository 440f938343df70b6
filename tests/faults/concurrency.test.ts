// 20 evaluations of one breaching rule at once, over the alerter's real HTTP endpoint with its
// queue and a webhook receiver: one alert, one event, one delivery row, one webhook call. Runs in
// every CI run: it is the database's locking (directly and through PgBouncer) that makes it hold.
import { useTestDatabase } from "@pulseboard/devstack/test";
import { alertDeliveries, alertEvents, alerts, sensorReadings } from "@pulseboard/schema";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { setupRule, startAlerter, startWebhookReceiver } from "../../apps/alerter/test/harness";
import { figures, waitUntil } from "./support";

const database = useTestDatabase();

describe("faults: concurrent evaluations", () => {
  it("20 concurrent evaluations of one breaching rule: one alert, one event, one delivery", async () => {
    const webhook = await startWebhookReceiver();
    const alerter = await startAlerter(database.current.url);
    try {
      const db = database.current.db;
      const { deviceId, ruleId } = await setupRule(db, { threshold: 30 }, webhook.url);
      await db
        .insert(sensorReadings)
        .values({ deviceId, metric: "temperature", value: 99, recordedAt: new Date(Date.now() - 1000) });
      const answers = await Promise.all(
        Array.from({ length: 20 }, () => alerter.call("/v1/evaluate", { deviceIds: [deviceId] })),
      );
      await waitUntil(() => webhook.calls.length > 0, 15_000, "the webhook");
      // A second delivery, if any, would come now.
      await new Promise((r) => setTimeout(r, 1000));
      const alertRows = await db.select().from(alerts).where(eq(alerts.ruleId, ruleId));
      const events = await db
        .select()
        .from(alertEvents)
        .where(eq(alertEvents.alertId, alertRows[0]?.id ?? ""));
      const deliveries = await db
        .select()
        .from(alertDeliveries)
        .where(eq(alertDeliveries.eventId, events[0]?.id ?? ""));
      const eventIds = webhook.calls.map((c) => c.headers["x-pulseboard-event-id"]);
      figures("20 concurrent evaluations of one breaching rule", {
        "answers 200": answers.filter((r) => r.status === 200).length,
        alerts: alertRows.length,
        events: events.length,
        "delivery rows": deliveries.length,
        "webhook calls": webhook.calls.length,
        "distinct event ids": new Set(eventIds).size,
      });
      expect(answers.map((r) => r.status)).toEqual(Array(20).fill(200));
      expect(alertRows).toHaveLength(1);
      expect(events).toHaveLength(1);
      expect(deliveries).toHaveLength(1);
      expect(deliveries[0]?.status).toBe("delivered");
      expect(webhook.calls).toHaveLength(1);
      expect(eventIds).toEqual([events[0]?.id]);
    } finally {
      await alerter.close();
      await webhook.close();
    }
  });
});
