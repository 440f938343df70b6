// Deliveries as pure functions: what the queue is asked to deliver (and how it deduplicates), how
// long an attempt owns its delivery, what a failed attempt means, and when no queue chain owns a
// delivery any more (docs/alerting.md, "Delivery"). What a notice says is ./notice-text.ts.

import { retryDelayMs } from "@pulseboard/queue";
import type { DeliveryKey } from "@pulseboard/schema/queries/alert-deliveries";
import type { DELIVERY_STATUSES } from "@pulseboard/schema/telemetry";

export type { DeliveryKey };

/** The signed endpoint the queue delivers each event through. */
export const DELIVER_PATH = "/v1/deliver";

/**
 * Which round of enqueueing an event belongs to. The queue keeps one message per deduplication
 * id, so a transition is enqueued once however often it is reported, while a later round (a
 * sweep's minute, a boot) may enqueue the same event again when it is still undelivered.
 */
export type DeliveryRound = { kind: "transition" } | { kind: "sweep"; at: Date } | { kind: "boot"; at: Date };

/** The round's part of the deduplication id: one per sweep minute, one per boot. */
export function roundTag(round: DeliveryRound): string {
  switch (round.kind) {
    case "transition":
      return "0";
    case "sweep":
      return `sweep-${Math.floor(round.at.getTime() / 60_000)}`;
    case "boot":
      return `boot-${round.at.getTime()}`;
  }
}

export function deliveryDeduplicationId({ eventId, channelId }: DeliveryKey, round: DeliveryRound): string {
  return `deliver-${eventId}-${channelId}-${roundTag(round)}`;
}

/** The queue message that delivers one event to one channel: retried until the last attempt. */
export function deliveryMessage(
  publicUrl: string,
  delivery: DeliveryKey,
  round: DeliveryRound,
  maxAttempts: number,
) {
  return {
    url: new URL(DELIVER_PATH, publicUrl).toString(),
    body: { eventId: delivery.eventId, channelId: delivery.channelId },
    deduplicationId: deliveryDeduplicationId(delivery, round),
    retries: maxAttempts - 1,
  };
}

/**
 * How long an attempt owns its claim: the send's timeout (a POST is aborted then, an e-mail's
 * attempt given up then: deliver.ts) and a margin for recording the outcome. Past it the attempt is taken as crashed and may be claimed
 * again, so a slow attempt is never claimed twice.
 */
export function leaseMs(webhookTimeoutMs: number): number {
  return webhookTimeoutMs + LEASE_MARGIN_MS;
}
export const LEASE_MARGIN_MS = 5000;

/**
 * How long past its due time a pending delivery's queue message may be late before the sweep
 * takes it as lost (a crash before the enqueue, a message the queue dropped): the sweep runs every
 * minute, a queue message is usually there in seconds.
 */
export const REDELIVERY_GRACE_MS = 120_000;

/** The unit of the queue's retry backoff: QStash's is a second; the local queue's is configured. */
export function queueRetryBaseMs(config: { QSTASH_TOKEN?: string | undefined; QUEUE_RETRY_BASE_MS: number }) {
  return config.QSTASH_TOKEN ? 1000 : config.QUEUE_RETRY_BASE_MS;
}

/** The queue's Upstash-Retried header: how often this message was retried before (0 if absent). */
export function queueRetried(header: string | string[] | undefined): number {
  const value = Number(Array.isArray(header) ? header[0] : header);
  return Number.isSafeInteger(value) && value >= 0 ? value : 0;
}

/**
 * After a failed attempt (`attempts` made so far, this one included; `retried`, the times the
 * queue had retried the message that brought it): give up and record it as failed after the last
 * attempt; otherwise retry through the queue's backoff, whose next retry of this message is due
 * in `retryInMs` (QStash's curve, `retryBaseMs` its unit). A message with no retries left is due
 * now: no chain owns the delivery any more and the sweep takes it after its grace.
 */
export function afterFailedAttempt({
  attempts,
  maxAttempts,
  retried,
  retryBaseMs,
  error,
}: {
  attempts: number;
  maxAttempts: number;
  retried: number;
  retryBaseMs: number;
  error: string;
}): { outcome: "failed" } | { outcome: "retry"; retryInMs: number; reason: string } {
  if (attempts >= maxAttempts) return { outcome: "failed" };
  const retriesLeft = retried < maxAttempts - 1;
  return {
    outcome: "retry",
    retryInMs: retriesLeft ? Math.round(retryDelayMs(retried + 1, retryBaseMs)) : 0,
    reason: `delivery failed (${error}); attempt ${attempts} of ${maxAttempts}`,
  };
}

/** A delivery as the sweep sees it. */
export interface DeliveryOwnership {
  status: (typeof DELIVERY_STATUSES)[number];
  nextAttemptAt: Date;
  claimedUntil: Date | null;
}

/**
 * Whether no live queue chain owns a delivery at `now`, so the sweep must enqueue it again: a
 * pending one whose next attempt was due over `graceMs` ago (its message was lost), or one in
 * flight past its lease (its attempt crashed). A retry merely scheduled, or an attempt still within
 * its lease, is its chain's. (queries/alert-deliveries.ts `adoptOrphanedDeliveries` applies this.)
 */
export function isOrphaned(delivery: DeliveryOwnership, now: Date, graceMs: number): boolean {
  if (delivery.status === "pending") return delivery.nextAttemptAt.getTime() <= now.getTime() - graceMs;
  if (delivery.status === "in_flight")
    return delivery.claimedUntil !== null && delivery.claimedUntil.getTime() <= now.getTime();
  return false;
}
