import { describe, expect, it } from "vitest";
import { RateLimiter } from "./intake";

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
