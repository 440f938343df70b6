// POST /v1/deliver {"eventId", "destination"} (the queue, retried with backoff; `destination`
// "webhook", the default for messages enqueued before it was named): one delivery attempt;
// 200 {"outcome"} (delivered, failed, skipped, not_pending), or RetryableDeliveryError (a 5xx:
// the queue tries again).
import { DELIVERY_DESTINATIONS } from "@pulseboard/schema/telemetry";
import { z } from "zod";
import type { AlerterContext } from "../context";
import { queueRetryBaseMs } from "../deliveries";
import { deliverEvent, RetryableDeliveryError } from "../webhook";
import { type SignedRoute, signedRoute } from "./route";

export const deliverBody = z.strictObject({
  eventId: z.uuid(),
  destination: z.enum(DELIVERY_DESTINATIONS).default("webhook"),
});

export function deliverRoute({ db, log, metrics, config }: AlerterContext): SignedRoute {
  const webhookLog = log.child({ module: "webhook" });
  return signedRoute(deliverBody, async ({ eventId }, { retried }) => {
    try {
      const outcome = await deliverEvent(db, eventId, {
        maxAttempts: config.WEBHOOK_MAX_ATTEMPTS,
        timeoutMs: config.WEBHOOK_TIMEOUT_MS,
        retryBaseMs: queueRetryBaseMs(config),
        retried,
        allowPrivate: config.WEBHOOK_ALLOW_PRIVATE,
        log: webhookLog,
      });
      if (outcome !== "not_pending") metrics.webhookDeliveries.inc({ outcome });
      if (outcome === "failed") webhookLog.warn({ eventId }, "webhook delivery given up");
      return { outcome };
    } catch (error) {
      if (error instanceof RetryableDeliveryError) {
        metrics.webhookDeliveries.inc({ outcome: "retry" });
        webhookLog.info({ eventId, reason: error.message }, "webhook delivery will be retried");
      }
      throw error;
    }
  });
}
