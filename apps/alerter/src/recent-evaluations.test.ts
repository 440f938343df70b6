import { describe, expect, it } from "vitest";
import { isRecent, RECENT_EVALUATION_MS, RecentEvaluations } from "./recent-evaluations";

describe("devices a sweep leaves out", () => {
  it("leaves out a device evaluated from a message within the last 10 s, and only it", () => {
    const recent = new RecentEvaluations();
    recent.record(["a", "b"], 1_000);
    expect(recent.dueForSweep(["a", "b", "c"], 1_000 + RECENT_EVALUATION_MS - 1)).toEqual(["c"]);
    expect(recent.dueForSweep(["a", "b", "c"], 1_000 + RECENT_EVALUATION_MS)).toEqual(["a", "b", "c"]);
  });

  it("judges a device by its latest evaluation, and forgets the old ones", () => {
    const recent = new RecentEvaluations();
    recent.record(["a", "b"], 0);
    recent.record(["a"], 8_000);
    expect(recent.dueForSweep(["a", "b"], 12_000)).toEqual(["b"]);
    expect(recent.size).toBe(1);
    expect(recent.dueForSweep(["a", "b"], 20_000)).toEqual(["a", "b"]);
    expect(recent.size).toBe(0);
  });

  it("a clock that went back makes nothing recent", () => {
    expect(isRecent(5_000, 4_999)).toBe(false);
    expect(isRecent(5_000, 5_000)).toBe(true);
  });
});
