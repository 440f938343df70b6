import type { EventForDelivery } from "@pulseboard/schema/queries/alert-events";
import { describe, expect, it } from "vitest";
import {
  afterFailedAttempt,
  deliveryDeduplicationId,
  deliveryMessage,
  roundTag,
  webhookPayload,
} from "./deliveries";

const eventId = "5b0c2f4e-0000-4000-8000-000000000001";

describe("delivery deduplication ids", () => {
  it("a transition's delivery has one id however often it is enqueued", () => {
    expect(deliveryDeduplicationId(eventId, { kind: "transition" })).toBe(`deliver-${eventId}-0`);
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
    expect(deliveryDeduplicationId(eventId, { kind: "boot", at })).toBe(
      `deliver-${eventId}-boot-${at.getTime()}`,
    );
  });

  it("the queue message: the deliver endpoint under the public URL, retried until the last attempt", () => {
    expect(deliveryMessage("https://alerter.example.com", eventId, { kind: "transition" }, 5)).toEqual({
      url: "https://alerter.example.com/v1/deliver",
      body: { eventId },
      deduplicationId: `deliver-${eventId}-0`,
      retries: 4,
    });
  });
});

describe("the webhook payload", () => {
  const event: EventForDelivery = {
    id: eventId,
    kind: "fired",
    value: 31.2,
    at: new Date("2026-12-01T10:15:00.000Z"),
    attempts: 1,
    webhookUrl: "https://hooks.example.com/pulseboard",
    webhookSecret: "whsec_x",
    alert: {
      id: "9d1e0000-0000-4000-8000-000000000002",
      status: "firing",
      triggeredAt: new Date("2026-12-01T10:15:00.000Z"),
      resolvedAt: null,
      windowStart: new Date("2026-12-01T10:10:00.000Z"),
      windowEnd: new Date("2026-12-01T10:15:00.000Z"),
    },
    rule: {
      id: "adab0000-0000-4000-8000-000000000003",
      metric: "temperature",
      comparator: "gt",
      threshold: 30,
      aggregate: "avg",
      windowSeconds: 300,
    },
    device: { id: "b4750000-0000-4000-8000-000000000004", name: "Greenhouse sensor" },
  };

  it("is docs/alerting.md's body, field for field and in its order", () => {
    const payload = webhookPayload(event);
    expect(JSON.stringify(payload)).toBe(
      JSON.stringify({
        id: eventId,
        type: "alert.fired",
        at: "2026-12-01T10:15:00.000Z",
        value: 31.2,
        alert: {
          id: event.alert.id,
          status: "firing",
          triggeredAt: "2026-12-01T10:15:00.000Z",
          resolvedAt: null,
          windowStart: "2026-12-01T10:10:00.000Z",
          windowEnd: "2026-12-01T10:15:00.000Z",
        },
        rule: {
          id: event.rule.id,
          metric: "temperature",
          comparator: "gt",
          threshold: 30,
          aggregate: "avg",
          windowSeconds: 300,
        },
        device: { id: event.device.id, name: "Greenhouse sensor" },
      }),
    );
    // Nothing of the delivery's own (the URL, the secret, the attempts) goes to the receiver.
    expect(JSON.stringify(payload)).not.toMatch(/whsec_|hooks\.example|attempts/);
  });

  it("a resolution: its type, its time, an alert opened on an empty window", () => {
    const resolvedAt = new Date("2026-12-01T10:20:00.500Z");
    const payload = webhookPayload({
      ...event,
      kind: "resolved",
      value: null,
      at: resolvedAt,
      alert: { ...event.alert, status: "resolved", resolvedAt, windowStart: null, windowEnd: null },
    });
    expect(payload).toMatchObject({
      type: "alert.resolved",
      at: "2026-12-01T10:20:00.500Z",
      value: null,
      alert: {
        status: "resolved",
        resolvedAt: "2026-12-01T10:20:00.500Z",
        windowStart: null,
        windowEnd: null,
      },
    });
  });
});

describe("after a failed attempt", () => {
  it("retries until the last attempt, then gives up", () => {
    expect(afterFailedAttempt(1, 5, "HTTP 500")).toEqual({
      outcome: "retry",
      reason: "webhook delivery failed (HTTP 500); attempt 1 of 5",
    });
    expect(afterFailedAttempt(4, 5, "timeout")).toMatchObject({ outcome: "retry" });
    expect(afterFailedAttempt(5, 5, "HTTP 500")).toEqual({ outcome: "failed" });
    // A crash's re-claim can count past the last attempt: still given up.
    expect(afterFailedAttempt(6, 5, "HTTP 500")).toEqual({ outcome: "failed" });
  });
});
