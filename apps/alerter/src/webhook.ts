// Webhook delivery of an alert event to its owner: claimed in the outbox, POSTed as JSON signed
// with HMAC-SHA256 over `<timestamp>.<body>` with the owner's secret, the outcome recorded on the
// event. A failed attempt throws RetryableDeliveryError so the queue retries it with backoff;
// after the last attempt the event is marked failed and shown as such.
import type { Logger } from "@pulseboard/runtime/logger";
import { postSignedWebhook } from "@pulseboard/runtime/webhook";
import type { Database } from "@pulseboard/schema/client";
import {
  claimEventForDelivery,
  markEventDelivered,
  markEventSkipped,
  recordFailedDeliveryAttempt,
} from "@pulseboard/schema/queries/alert-events";
import { afterFailedAttempt, webhookPayload } from "./deliveries";

export {
  EVENT_ID_HEADER,
  SIGNATURE_HEADER,
  signWebhook,
  TIMESTAMP_HEADER,
} from "@pulseboard/runtime/webhook";

export type DeliveryOutcome = "delivered" | "retry" | "failed" | "skipped" | "not_pending";

/** This attempt failed and the queue should try again (answered with a 5xx). */
export class RetryableDeliveryError extends Error {
  override name = "RetryableDeliveryError";
}

export interface DeliveryOptions {
  maxAttempts: number;
  timeoutMs: number;
  /** WEBHOOK_ALLOW_PRIVATE. */
  allowPrivate: boolean;
  /** Where a failed attempt's detail goes (the event's last error, which the owner sees, is generic). */
  log: Logger;
}

/**
 * Delivers one event: claims it first, so concurrent deliveries of the same event do not both
 * send; an event not there to claim is `not_pending`.
 */
export async function deliverEvent(
  db: Database,
  eventId: string,
  options: DeliveryOptions,
): Promise<Exclude<DeliveryOutcome, "retry">> {
  const event = await claimEventForDelivery(db, eventId);
  if (!event) return "not_pending";
  if (!event.webhookUrl || !event.webhookSecret) {
    await markEventSkipped(db, eventId);
    return "skipped";
  }
  const result = await postSignedWebhook(
    event.webhookUrl,
    event.webhookSecret,
    { id: event.id, body: JSON.stringify(webhookPayload(event)) },
    { timeoutMs: options.timeoutMs, allowPrivate: options.allowPrivate },
  );
  if (result.ok) {
    await markEventDelivered(db, eventId);
    return "delivered";
  }
  options.log.warn(
    { eventId, deviceId: event.device.id, origin: result.origin, reason: result.detail },
    "webhook attempt failed",
  );
  const next = afterFailedAttempt(event.attempts, options.maxAttempts, result.error);
  await recordFailedDeliveryAttempt(db, eventId, result.error, next.outcome === "failed");
  if (next.outcome === "failed") return "failed";
  throw new RetryableDeliveryError(next.reason);
}
