import { describe, expect, it } from "vitest";
import { appendBuckets } from "./chart-buckets";

const p = (t: string, count: number) => ({ t, count });

describe("appendBuckets", () => {
  const shown = [p("2026-12-03T10:00:00Z", 6), p("2026-12-03T10:01:00Z", 6), p("2026-12-03T10:02:00Z", 2)];

  it("replaces the last bucket with its re-read and appends the new ones", () => {
    const update = [p("2026-12-03T10:02:00Z", 6), p("2026-12-03T10:03:00Z", 1)];
    expect(
      appendBuckets(shown, update, "2026-12-03T10:02:00Z", Date.parse("2026-12-03T09:59:30Z"), 60),
    ).toEqual([shown[0], shown[1], ...update]);
  });

  it("drops buckets wholly before the window's new start, keeps one it still overlaps", () => {
    const merged = appendBuckets(shown, [], "2026-12-03T10:02:00Z", Date.parse("2026-12-03T10:01:30Z"), 60);
    expect(merged).toEqual([shown[1]]);
    // The re-read last bucket came back empty (its readings were in no bucket after all): gone.
    expect(merged.map((x) => x.t)).not.toContain("2026-12-03T10:02:00Z");
  });

  it("keeps everything before `since` when the update is empty", () => {
    expect(appendBuckets(shown, [], "2026-12-03T10:05:00Z", 0, 60)).toEqual(shown);
  });
});
