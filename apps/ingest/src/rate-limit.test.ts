import { describe, expect, it } from "vitest";
import { admission, type Bucket, isFull, RateLimiter, type RateSpec } from "./rate-limit";

const spec: RateSpec = { ratePerSecond: 10, burst: 3 };
const t = 1_000_000;

describe("admission", () => {
  it("admits a burst at once, then one message per 1/rate seconds", () => {
    let bucket: Bucket | undefined;
    const kinds: string[] = [];
    for (let i = 0; i < 4; i++) {
      const d = admission(bucket, t, spec, { kind: "refuse" }, 0);
      bucket = d.bucket;
      kinds.push(d.admission.kind);
    }
    expect(kinds).toEqual(["admit", "admit", "admit", "refuse"]);
    expect(admission(bucket, t + 100, spec, { kind: "refuse" }, 0).admission).toEqual({ kind: "admit" });
  });

  it("refuses over the rate (HTTP, QoS 0) without charging the bucket, saying when a token returns", () => {
    const empty: Bucket = { tokens: 0, at: t };
    const d = admission(empty, t + 25, spec, { kind: "refuse" }, 0);
    expect(d.admission).toEqual({ kind: "refuse", retryAfterMs: 75 });
    expect(d.bucket.tokens).toBeCloseTo(0.25);
  });

  it("gives QoS 1 places in line: each waits for its own token, in order", () => {
    let bucket: Bucket = { tokens: 0, at: t };
    const waits: number[] = [];
    for (let i = 0; i < 4; i++) {
      const d = admission(bucket, t, spec, { kind: "wait", maxWaiting: 100 }, i);
      bucket = d.bucket;
      if (d.admission.kind !== "wait") throw new Error(`expected wait, got ${d.admission.kind}`);
      waits.push(d.admission.ms);
    }
    expect(waits).toEqual([100, 200, 300, 400]);
    expect(bucket.tokens).toBe(-4);
    // While messages wait in line, HTTP and QoS 0 of that device are refused until the line clears.
    expect(admission(bucket, t + 250, spec, { kind: "refuse" }, 4).admission).toEqual({
      kind: "refuse",
      retryAfterMs: 250,
    });
  });

  it("admits past the device's waiting bound instead of dropping, without charging the bucket", () => {
    const bucket: Bucket = { tokens: -2, at: t };
    const d = admission(bucket, t, spec, { kind: "wait", maxWaiting: 2 }, 2);
    expect(d.admission).toEqual({ kind: "admit_past_bound" });
    expect(d.bucket.tokens).toBe(-2);
  });

  it("refills to the burst at most, and a debt refills too", () => {
    expect(isFull({ tokens: 0, at: t }, t + 299, spec)).toBe(false);
    expect(isFull({ tokens: 0, at: t }, t + 300, spec)).toBe(true);
    expect(isFull({ tokens: -3, at: t }, t + 500, spec)).toBe(false);
    expect(admission({ tokens: 0, at: t }, t + 60_000, spec, { kind: "refuse" }, 0).bucket.tokens).toBe(2);
  });
});

describe("rate limiter", () => {
  it("allows a burst, then the sustained rate, per device", () => {
    const limiter = new RateLimiter(2, 3);
    expect([0, 0, 0].map(() => limiter.take("a", t))).toEqual([0, 0, 0]);
    expect(limiter.take("a", t)).toBe(1);
    expect(limiter.take("b", t)).toBe(0);
    expect(limiter.take("a", t + 500)).toBe(0);
    expect(limiter.take("a", t + 500)).toBeGreaterThan(0);
  });

  it("counts a device's waiting messages against its bound until they have waited", () => {
    const limiter = new RateLimiter(10, 1);
    const policy = { kind: "wait", maxWaiting: 2 } as const;
    expect(limiter.admit("a", policy, t)).toEqual({ kind: "admit" });
    expect(limiter.admit("a", policy, t)).toEqual({ kind: "wait", ms: 100 });
    expect(limiter.admit("a", policy, t)).toEqual({ kind: "wait", ms: 200 });
    expect(limiter.admit("a", policy, t)).toEqual({ kind: "admit_past_bound" });
    // Another device has its own bucket and line.
    expect(limiter.admit("b", policy, t)).toEqual({ kind: "admit" });
    limiter.waited("a");
    expect(limiter.admit("a", policy, t)).toEqual({ kind: "wait", ms: 300 });
  });

  it("forgets devices once their bucket would be full again", () => {
    const limiter = new RateLimiter(10, 10);
    limiter.take("a", 0);
    limiter.sweep(2000);
    // A forgotten device starts with a full bucket.
    expect(Array.from({ length: 10 }, () => limiter.take("a", 2000))).toEqual(Array(10).fill(0));
    // A bucket in debt is kept until its line has cleared.
    const inDebt = new RateLimiter(10, 1);
    for (let i = 0; i < 3; i++) inDebt.admit("w", { kind: "wait", maxWaiting: 5 }, 0);
    inDebt.sweep(250);
    expect(inDebt.admit("w", { kind: "wait", maxWaiting: 5 }, 250)).toEqual({ kind: "wait", ms: 50 });
  });
});
