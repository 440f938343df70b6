// The pure part of rollups.ts: which bucket a chart of a range gets. The database suites are in
// tests/db/: rollups.test.ts (charts against a direct computation) and rollup-store.test.ts (the
// roll-up of closed minutes and its watermark).
import { describe, expect, it } from "vitest";
import { BUCKET_STEPS, chooseBucketSeconds, MAX_POINTS } from "./rollups";

const at = (iso: string) => new Date(iso);
const HOUR = 3_600_000;

describe("bucket choice", () => {
  it.each([
    [1 * HOUR, 10],
    [6 * HOUR, 60],
    [24 * HOUR, 300],
    [7 * 24 * HOUR, 1800],
    [30 * 24 * HOUR, 7200],
  ])("a range of %i ms gets %i s buckets", (rangeMs, bucket) => {
    const from = at("2026-11-01T00:00:00Z");
    const to = new Date(from.getTime() + rangeMs);
    expect(chooseBucketSeconds(from, to)).toBe(bucket);
    expect(rangeMs / 1000 / bucket).toBeLessThanOrEqual(MAX_POINTS);
  });

  it("never exceeds the point budget, for any range", () => {
    const from = at("2026-01-01T00:00:00Z");
    for (let seconds = 1; seconds < 400 * 86_400; seconds = Math.ceil(seconds * 1.37)) {
      const bucket = chooseBucketSeconds(from, new Date(from.getTime() + seconds * 1000));
      expect(seconds / bucket, `${seconds}s`).toBeLessThanOrEqual(MAX_POINTS);
      expect(BUCKET_STEPS.includes(bucket as (typeof BUCKET_STEPS)[number]) || bucket % 86_400 === 0).toBe(
        true,
      );
    }
  });

  it("honours a requested bucket unless it would exceed the budget", () => {
    const from = at("2026-11-01T00:00:00Z");
    const to = new Date(from.getTime() + HOUR);
    expect(chooseBucketSeconds(from, to, 60)).toBe(60);
    expect(chooseBucketSeconds(from, to, 1)).toBe(10);
  });
});
