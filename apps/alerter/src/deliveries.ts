// Webhook deliveries as pure functions: what the queue is asked to deliver (and how it
// deduplicates), the body the owner's webhook receives, and what a failed attempt means.

import type { EventForDelivery } from "@pulseboard/schema/queries/alert-events";

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

export function deliveryDeduplicationId(eventId: string, round: DeliveryRound): string {
  return `deliver-${eventId}-${roundTag(round)}`;
}

/** The queue message that delivers one event: retried by the queue until the last attempt. */
export function deliveryMessage(
  publicUrl: string,
  eventId: string,
  round: DeliveryRound,
  maxAttempts: number,
) {
  return {
    url: new URL(DELIVER_PATH, publicUrl).toString(),
    body: { eventId },
    deduplicationId: deliveryDeduplicationId(eventId, round),
    retries: maxAttempts - 1,
  };
}

/** The JSON the owner's webhook receives for an event (docs/alerting.md, "Webhook"). */
export function webhookPayload(event: EventForDelivery) {
  const iso = (date: Date | null) => (date ? date.toISOString() : null);
  return {
    id: event.id,
    type: `alert.${event.kind}`,
    at: event.at.toISOString(),
    value: event.value,
    alert: {
      id: event.alert.id,
      status: event.alert.status,
      triggeredAt: event.alert.triggeredAt.toISOString(),
      resolvedAt: iso(event.alert.resolvedAt),
      windowStart: iso(event.alert.windowStart),
      windowEnd: iso(event.alert.windowEnd),
    },
    rule: {
      id: event.rule.id,
      metric: event.rule.metric,
      comparator: event.rule.comparator,
      threshold: event.rule.threshold,
      aggregate: event.rule.aggregate,
      windowSeconds: event.rule.windowSeconds,
    },
    device: { id: event.device.id, name: event.device.name },
  };
}

/**
 * After a failed attempt (`attempts` made so far, this one included): retry through the queue's
 * backoff, or give up and record the event as failed.
 */
export function afterFailedAttempt(
  attempts: number,
  maxAttempts: number,
  error: string,
): { outcome: "failed" } | { outcome: "retry"; reason: string } {
  if (attempts >= maxAttempts) return { outcome: "failed" };
  return {
    outcome: "retry",
    reason: `webhook delivery failed (${error}); attempt ${attempts} of ${maxAttempts}`,
  };
}
