import { describe, expect, it } from "vitest";
import { snapshotBucketSeconds } from "./snapshot-buckets";

const HOUR = 3600_000;

describe("snapshotBucketSeconds", () => {
  it("takes the finest step that keeps the chart within the snapshot's points", () => {
    expect(snapshotBucketSeconds(0, HOUR)).toBe(15); // 240 points
    expect(snapshotBucketSeconds(0, 24 * HOUR)).toBe(300); // 288
    expect(snapshotBucketSeconds(0, 30 * 24 * HOUR)).toBe(10_800); // 240
    expect(snapshotBucketSeconds(0, 60_000)).toBe(1);
  });

  it("goes past a day a step for ranges longer than the steps cover", () => {
    expect(snapshotBucketSeconds(0, 400 * 24 * HOUR)).toBe(2 * 86_400);
  });
});
