// Webhook delivery of an alert event to its owner: its delivery row claimed with a lease, POSTed as
// JSON signed with HMAC-SHA256 over `<timestamp>.<body>` with the owner's secret, the outcome
// recorded on the row. A failed attempt throws RetryableDeliveryError so the queue retries it
// with backoff, and the row says when that retry is due; after the last attempt it is `failed`.
// The row's last error (which the owner sees) is generic; the detail goes to the log.
import type { Logger } from "@pulseboard/runtime/logger";
import { postSignedWebhook } from "@pulseboard/runtime/webhook";
import type { Database } from "@pulseboard/schema/client";
import {
  claimDelivery,
  markDeliveryDelivered,
  markDeliverySkipped,
  recordFailedDeliveryAttempt,
} from "@pulseboard/schema/queries/alert-deliveries";
import { afterFailedAttempt, leaseMs, webhookPayload } from "./deliveries";

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
  /** The unit of the queue's retry backoff (QStash's: 1 s). */
  retryBaseMs: number;
  /** How often the queue had retried the message that brought this attempt (Upstash-Retried). */
  retried: number;
  /** WEBHOOK_ALLOW_PRIVATE. */
  allowPrivate: boolean;
  /** Where a failed attempt's detail goes (the delivery's last error, which the owner sees, is generic). */
  log: Logger;
}

/**
 * One attempt at an event's webhook delivery: claims it first, so concurrent attempts do not both
 * send; a delivery not there to claim (done, or leased by an attempt in progress) is
 * `not_pending`.
 */
export async function deliverEvent(
  db: Database,
  eventId: string,
  options: DeliveryOptions,
): Promise<Exclude<DeliveryOutcome, "retry">> {
  const destination = "webhook";
  const event = await claimDelivery(db, eventId, destination, leaseMs(options.timeoutMs));
  if (!event) return "not_pending";
  const claim = { eventId, destination, attempts: event.attempts } as const;
  if (!event.webhookUrl || !event.webhookSecret) {
    await markDeliverySkipped(db, claim);
    return "skipped";
  }
  const result = await postSignedWebhook(
    event.webhookUrl,
    event.webhookSecret,
    { id: event.id, body: JSON.stringify(webhookPayload(event)) },
    { timeoutMs: options.timeoutMs, allowPrivate: options.allowPrivate },
  );
  if (result.ok) {
    await markDeliveryDelivered(db, claim);
    return "delivered";
  }
  options.log.warn(
    { eventId, deviceId: event.device.id, origin: result.origin, reason: result.detail },
    "webhook attempt failed",
  );
  const next = afterFailedAttempt({ ...options, attempts: event.attempts, error: result.error });
  await recordFailedDeliveryAttempt(
    db,
    claim,
    result.error,
    next.outcome === "failed" ? null : next.retryInMs,
  );
  if (next.outcome === "failed") return "failed";
  throw new RetryableDeliveryError(next.reason);
}
