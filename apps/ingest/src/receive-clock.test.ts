import { describe, expect, it } from "vitest";
import { ReceiveClock } from "./receive-clock";

describe("ReceiveClock", () => {
  it("gives a source's messages within one millisecond distinct, increasing times", () => {
    const clock = new ReceiveClock();
    const t = 1_700_000_000_000;
    const times = [0, 0, 0, 1].map(() => clock.next("dk_a", t).getTime());
    expect(times).toEqual([t, t + 1, t + 2, t + 3]);
  });

  it("is the wall clock otherwise, and sources do not affect each other", () => {
    const clock = new ReceiveClock();
    const t = 1_700_000_000_000;
    expect(clock.next("dk_a", t).getTime()).toBe(t);
    expect(clock.next("dk_b", t).getTime()).toBe(t);
    expect(clock.next("dk_a", t + 50).getTime()).toBe(t + 50);
    expect(clock.next("dk_a", t + 50).getTime()).toBe(t + 51);
    // Time catches up with a burst's stamps.
    expect(clock.next("dk_a", t + 60).getTime()).toBe(t + 60);
  });

  it("forgets sources whose last time has passed, so a flood of keys stays bounded", () => {
    const clock = new ReceiveClock();
    const t = 1_700_000_000_000;
    for (let i = 0; i < 100_000; i++) clock.next(`dk_${i}`, t + i);
    expect(clock.size).toBeLessThan(2048);
  });
});
