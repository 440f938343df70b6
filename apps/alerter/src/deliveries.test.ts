import { retryDelayMs } from "@pulseboard/queue";
import { describe, expect, it } from "vitest";
import {
  afterFailedAttempt,
  deliveryDeduplicationId,
  deliveryMessage,
  isOrphaned,
  LEASE_MARGIN_MS,
  leaseMs,
  queueRetried,
  queueRetryBaseMs,
  roundTag,
} from "./deliveries";

const eventId = "5b0c2f4e-0000-4000-8000-000000000001";
const channelId = "c4a00000-0000-4000-8000-000000000009";
const webhook = { eventId, channelId } as const;

describe("delivery deduplication ids", () => {
  it("a transition's delivery has one id per channel however often it is enqueued", () => {
    expect(deliveryDeduplicationId(webhook, { kind: "transition" })).toBe(
      `deliver-${eventId}-${channelId}-0`,
    );
  });

  it("a sweep's re-delivery has one id per minute; a boot's, one per boot", () => {
    const at = new Date("2026-12-01T10:15:59.999Z");
    expect(roundTag({ kind: "sweep", at })).toBe(`sweep-${Math.floor(at.getTime() / 60_000)}`);
    expect(roundTag({ kind: "sweep", at: new Date("2026-12-01T10:15:00.000Z") })).toBe(
      roundTag({ kind: "sweep", at }),
    );
    expect(roundTag({ kind: "sweep", at: new Date("2026-12-01T10:16:00.000Z") })).not.toBe(
      roundTag({ kind: "sweep", at }),
    );
    expect(deliveryDeduplicationId(webhook, { kind: "boot", at })).toBe(
      `deliver-${eventId}-${channelId}-boot-${at.getTime()}`,
    );
  });

  it("the queue message: the deliver endpoint under the public URL, retried until the last attempt", () => {
    expect(deliveryMessage("https://alerter.example.com", webhook, { kind: "transition" }, 5)).toEqual({
      url: "https://alerter.example.com/v1/deliver",
      body: { eventId, channelId },
      deduplicationId: `deliver-${eventId}-${channelId}-0`,
      retries: 4,
    });
  });
});

describe("after a failed attempt", () => {
  const failed = { maxAttempts: 5, retryBaseMs: 1000, error: "HTTP 500" };

  it("retries until the last attempt, then gives up", () => {
    expect(afterFailedAttempt({ ...failed, attempts: 1, retried: 0 })).toMatchObject({
      outcome: "retry",
      reason: "delivery failed (HTTP 500); attempt 1 of 5",
    });
    expect(afterFailedAttempt({ ...failed, attempts: 4, retried: 3, error: "timeout" })).toMatchObject({
      outcome: "retry",
    });
    expect(afterFailedAttempt({ ...failed, attempts: 5, retried: 4 })).toEqual({ outcome: "failed" });
    // A crash's re-claim can count past the last attempt: still given up.
    expect(afterFailedAttempt({ ...failed, attempts: 6, retried: 0 })).toEqual({ outcome: "failed" });
  });

  it("the next attempt is due when the queue retries this message: QStash's e^(2.5n) s after retry n-1", () => {
    // QStash (a 1 s unit): 12 s, then 148 s, 30 min, 6 h: a few minutes' outage stays in the chain.
    const due = (retried: number) => afterFailedAttempt({ ...failed, attempts: retried + 1, retried });
    expect(due(0)).toMatchObject({ retryInMs: 12_182 });
    expect(due(1)).toMatchObject({ retryInMs: 148_413 });
    expect(due(2)).toMatchObject({ retryInMs: 1_808_042 });
    expect(due(3)).toMatchObject({ retryInMs: 22_026_466 });
    // The local queue's unit, as the queue itself computes it.
    expect(afterFailedAttempt({ ...failed, retryBaseMs: 2, attempts: 2, retried: 1 })).toMatchObject({
      retryInMs: Math.round(retryDelayMs(2, 2)),
    });
  });

  it("follows the message, not the attempt count: a sweep's new message starts its backoff over", () => {
    expect(afterFailedAttempt({ ...failed, attempts: 3, retried: 0 })).toMatchObject({ retryInMs: 12_182 });
  });

  it("a message with no retries left is due now: the sweep takes the delivery after its grace", () => {
    expect(afterFailedAttempt({ ...failed, attempts: 3, retried: 4 })).toMatchObject({
      outcome: "retry",
      retryInMs: 0,
    });
  });
});

describe("the queue's retry count and backoff unit", () => {
  it("Upstash-Retried as a count; absent or not a count is the first delivery", () => {
    expect(queueRetried("3")).toBe(3);
    expect(queueRetried(["2", "9"])).toBe(2);
    for (const bad of [undefined, "", "-1", "1.5", "x", "1e400"]) expect(queueRetried(bad)).toBe(0);
  });

  it("QStash's unit is a second; the local queue's is configured", () => {
    expect(queueRetryBaseMs({ QSTASH_TOKEN: "t", QUEUE_RETRY_BASE_MS: 2 })).toBe(1000);
    expect(queueRetryBaseMs({ QSTASH_TOKEN: undefined, QUEUE_RETRY_BASE_MS: 2 })).toBe(2);
  });
});

describe("ownership: which deliveries the sweep takes", () => {
  const now = new Date("2026-12-01T10:00:00.000Z");
  const ago = (ms: number) => new Date(now.getTime() - ms);
  const grace = 120_000;

  it("an attempt's lease is the webhook timeout and a margin to record the outcome", () => {
    expect(leaseMs(10_000)).toBe(10_000 + LEASE_MARGIN_MS);
    expect(LEASE_MARGIN_MS).toBeGreaterThan(0);
  });

  it("a pending delivery whose retry is scheduled, however far off, is its chain's", () => {
    const scheduled = { status: "pending", claimedUntil: null } as const;
    expect(isOrphaned({ ...scheduled, nextAttemptAt: new Date(now.getTime() + 148_000) }, now, grace)).toBe(
      false,
    );
    expect(isOrphaned({ ...scheduled, nextAttemptAt: ago(grace - 1) }, now, grace)).toBe(false);
    // Its message is over the grace late: lost.
    expect(isOrphaned({ ...scheduled, nextAttemptAt: ago(grace) }, now, grace)).toBe(true);
  });

  it("an attempt in flight is its own until its lease ends (then it crashed)", () => {
    const inFlight = { status: "in_flight", nextAttemptAt: ago(3_600_000) } as const;
    expect(isOrphaned({ ...inFlight, claimedUntil: new Date(now.getTime() + 1) }, now, grace)).toBe(false);
    expect(isOrphaned({ ...inFlight, claimedUntil: now }, now, grace)).toBe(true);
  });

  it("a finished delivery is nobody's to take", () => {
    for (const status of ["delivered", "failed", "skipped"] as const)
      expect(isOrphaned({ status, nextAttemptAt: ago(3_600_000), claimedUntil: null }, now, grace)).toBe(
        false,
      );
  });
});
