import { describe, expect, it } from "vitest";
import { dueForLastSeen, evaluationDelay, evaluationWindow, lastSeenCutoff } from "./throttles";

describe("last-seen throttle", () => {
  const written = new Map([
    ["recent", 10_000],
    ["old", 4_000],
    ["edge", 5_000],
  ]);

  it("is due for devices never written, or not written within the interval", () => {
    expect(dueForLastSeen(["new", "recent", "old", "edge"], written, 10_000, 5000)).toEqual([
      "new",
      "old",
      "edge",
    ]);
  });

  it("is due for nothing written within the interval", () => {
    expect(dueForLastSeen(["recent"], written, 14_999, 5000)).toEqual([]);
    expect(dueForLastSeen(["recent"], written, 15_000, 5000)).toEqual(["recent"]);
  });

  it("forgets devices quiet for ten intervals", () => {
    expect(lastSeenCutoff(100_000, 5000)).toBe(50_000);
  });
});

describe("evaluation throttle", () => {
  it("sends the first message after a quiet interval at once", () => {
    expect(evaluationDelay(0, 1_000_000, 1000)).toBe(0);
    expect(evaluationDelay(10_000, 11_000, 1000)).toBe(0);
    expect(evaluationDelay(10_000, 15_000, 1000)).toBe(0);
  });

  it("holds a message until an interval after the last one", () => {
    expect(evaluationDelay(10_000, 10_000, 1000)).toBe(1000);
    expect(evaluationDelay(10_000, 10_300, 1000)).toBe(700);
  });

  it("puts messages an interval apart in distinct deduplication windows", () => {
    expect(evaluationWindow(10_999, 1000)).toBe(10);
    expect(evaluationWindow(10_000, 1000)).not.toBe(evaluationWindow(11_000, 1000));
    expect(evaluationWindow(10_500, 1000)).not.toBe(evaluationWindow(11_500, 1000));
  });
});
