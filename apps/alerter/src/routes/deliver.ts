// POST /v1/deliver {"eventId", "channelId"} (the queue, retried with backoff): one delivery
// attempt of an event's notice to one channel; 200 {"outcome"} (delivered, failed, skipped,
// not_pending), or RetryableDeliveryError (a 5xx: the queue tries again). A message from before
// channels, {"eventId", "destination": "webhook"}, is delivered to the webhook channel its
// delivery was migrated to.
import { legacyWebhookChannel } from "@pulseboard/schema/queries/alert-deliveries";
import { z } from "zod";
import type { AlerterContext } from "../context";
import { deliverEvent, RetryableDeliveryError } from "../deliver";
import { queueRetryBaseMs } from "../deliveries";
import { type SignedRoute, signedRoute } from "./route";

export const deliverBody = z.union([
  z.strictObject({ eventId: z.uuid(), channelId: z.uuid() }),
  z.strictObject({ eventId: z.uuid(), destination: z.literal("webhook").default("webhook") }),
]);

export function deliverRoute({ db, log, metrics, config, mailer }: AlerterContext): SignedRoute {
  const deliveryLog = log.child({ module: "delivery" });
  return signedRoute(deliverBody, async (body, { retried }) => {
    const channelId = "channelId" in body ? body.channelId : await legacyWebhookChannel(db, body.eventId);
    if (!channelId) return { outcome: "not_pending" };
    const key = { eventId: body.eventId, channelId };
    try {
      const outcome = await deliverEvent(db, key, {
        maxAttempts: config.WEBHOOK_MAX_ATTEMPTS,
        timeoutMs: config.WEBHOOK_TIMEOUT_MS,
        retryBaseMs: queueRetryBaseMs(config),
        retried,
        allowPrivate: config.WEBHOOK_ALLOW_PRIVATE,
        appUrl: config.APP_URL,
        mailer,
        log: deliveryLog,
      });
      if (outcome !== "not_pending") metrics.webhookDeliveries.inc({ outcome });
      if (outcome === "failed") deliveryLog.warn(key, "delivery given up");
      return { outcome };
    } catch (error) {
      if (error instanceof RetryableDeliveryError) {
        metrics.webhookDeliveries.inc({ outcome: "retry" });
        deliveryLog.info({ ...key, reason: error.message }, "delivery will be retried");
      }
      throw error;
    }
  });
}
