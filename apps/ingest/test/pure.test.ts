import { describe, expect, it } from "vitest";
import { notifyPayloads } from "../src/after-commit";
import { RateLimiter } from "../src/intake";
import { deviceKeyFromTopic, filterMatches, isForbiddenSubscription } from "../src/mqtt-topics";

describe("MQTT topics", () => {
  it("takes the device key from devices/<key>/readings only", () => {
    expect(deviceKeyFromTopic("devices/dk_abc/readings")).toBe("dk_abc");
    expect(deviceKeyFromTopic("devices/dk_abc/readings/extra")).toBeUndefined();
    expect(deviceKeyFromTopic("devices//readings")).toBeUndefined();
    expect(deviceKeyFromTopic("sensors/dk_abc/readings")).toBeUndefined();
  });

  it("matches filters with + and #", () => {
    expect(filterMatches("devices/+/readings", "devices/a/readings")).toBe(true);
    expect(filterMatches("devices/#", "devices/a/readings")).toBe(true);
    expect(filterMatches("#", "devices/a/readings")).toBe(true);
    expect(filterMatches("+/+/readings", "devices/a/readings")).toBe(true);
    expect(filterMatches("devices/a", "devices/a/readings")).toBe(false);
    expect(filterMatches("devices/+/status", "devices/a/readings")).toBe(false);
  });

  it("refuses subscriptions that could carry device topics", () => {
    for (const filter of [
      "devices/#",
      "#",
      "devices/+/readings",
      "+/+/+",
      "$share/g/devices/#",
      "devices/dk_x/readings",
    ]) {
      expect(isForbiddenSubscription(filter), filter).toBe(true);
    }
    for (const filter of ["$SYS/broker/uptime", "weather/today", "+/status"]) {
      expect(isForbiddenSubscription(filter), filter).toBe(false);
    }
  });
});

describe("rate limiter", () => {
  it("allows a burst, then the sustained rate, per device", () => {
    const limiter = new RateLimiter(2, 3);
    const t = 1_000_000;
    expect([0, 0, 0].map(() => limiter.take("a", t))).toEqual([0, 0, 0]);
    expect(limiter.take("a", t)).toBe(1);
    expect(limiter.take("b", t)).toBe(0);
    expect(limiter.take("a", t + 500)).toBe(0);
    expect(limiter.take("a", t + 500)).toBeGreaterThan(0);
  });

  it("forgets devices once their bucket would be full again", () => {
    const limiter = new RateLimiter(10, 10);
    limiter.take("a", 0);
    limiter.sweep(2000);
    // A forgotten device starts with a full bucket.
    expect(Array.from({ length: 10 }, () => limiter.take("a", 2000))).toEqual(Array(10).fill(0));
  });
});

describe("live hints", () => {
  it("carry owner, device and metrics, packed under the NOTIFY size limit", () => {
    const many = new Map<string, Set<string>>();
    for (let i = 0; i < 300; i++)
      many.set(
        `00000000-0000-0000-0000-${String(i).padStart(12, "0")}`,
        new Set(["temperature", "humidity"]),
      );
    const payloads = notifyPayloads(many, () => "owner-1");
    expect(payloads.length).toBeGreaterThan(1);
    for (const p of payloads) expect(Buffer.byteLength(p)).toBeLessThan(8000);
    const items = payloads.flatMap((p) => JSON.parse(p) as { o: string; d: string; m: string[] }[]);
    expect(items).toHaveLength(300);
    expect(items[0]).toEqual({
      o: "owner-1",
      d: "00000000-0000-0000-0000-000000000000",
      m: ["temperature", "humidity"],
    });
  });

  it("skip devices whose owner is unknown", () => {
    expect(notifyPayloads(new Map([["d", new Set(["t"])]]), () => undefined)).toEqual([]);
  });
});
