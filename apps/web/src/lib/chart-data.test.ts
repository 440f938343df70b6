import { describe, expect, it } from "vitest";
import { alignSeries, isLiveRange, isolatedIndices, unitScales, yRange } from "./chart-data";

const T0 = Date.parse("2026-03-03T10:00:00Z");
const MIN = 60_000;
const p = (minute: number, avg: number, count = 6) => ({
  t: new Date(T0 + minute * MIN).toISOString(),
  min: avg - 1,
  avg,
  max: avg + 1,
  count,
});

describe("alignSeries", () => {
  it("draws buckets at their middles between empty range ends", () => {
    const out = alignSeries([[p(1, 20), p(2, 21)]], 60, T0, T0 + 5 * MIN);
    expect(out.x).toEqual([
      T0 / 1000,
      (T0 + 1.5 * MIN) / 1000,
      (T0 + 2.5 * MIN) / 1000,
      (T0 + 5 * MIN) / 1000,
    ]);
    expect(out.starts).toEqual([null, T0 + MIN, T0 + 2 * MIN, null]);
    expect(out.series[0]).toEqual({
      min: [null, 19, 20, null],
      avg: [null, 20, 21, null],
      max: [null, 21, 22, null],
      count: [null, 6, 6, null],
    });
  });

  it("puts an empty x in a gap, so the line breaks there", () => {
    const out = alignSeries([[p(0, 1), p(1, 2), p(4, 5)]], 60, T0, T0 + 5 * MIN);
    expect(out.series[0]?.avg).toEqual([null, 1, 2, null, 5, null]);
    expect(out.x[3]).toBe((T0 + 2.5 * MIN) / 1000);
  });

  it("joins several series on the union of their buckets, null where one has none", () => {
    const out = alignSeries(
      [
        [p(0, 1), p(1, 2)],
        [p(1, 10), p(2, 11)],
      ],
      60,
      T0,
      T0 + 3 * MIN,
    );
    expect(out.starts).toEqual([null, T0, T0 + MIN, T0 + 2 * MIN, null]);
    expect(out.series[0]?.avg).toEqual([null, 1, 2, null, null]);
    expect(out.series[1]?.avg).toEqual([null, null, 10, 11, null]);
  });

  it("spans the whole range with no data at all", () => {
    const out = alignSeries([[]], 60, T0, T0 + 3600_000);
    expect(out.x).toEqual([T0 / 1000, (T0 + 3600_000) / 1000]);
    expect(out.series[0]?.avg).toEqual([null, null]);
  });

  it("keeps xs increasing when the first bucket starts before the range", () => {
    const out = alignSeries([[p(0, 1)]], 60, T0 + 45_000, T0 + 2 * MIN);
    expect(out.x).toEqual([(T0 + 30_000) / 1000, (T0 + 2 * MIN) / 1000]);
  });
});

describe("isolatedIndices", () => {
  it("finds values with no neighbour", () => {
    expect(isolatedIndices([1, null, 3, 4, null, 6])).toEqual([0, 5]);
    expect(isolatedIndices([null, 2, null])).toEqual([1]);
    expect(isolatedIndices([1, 2])).toEqual([]);
  });
});

describe("unitScales", () => {
  it("gives each unit its own scale, alternating sides; the same unit shares one", () => {
    expect(unitScales([{ unit: "°C" }, { unit: "%" }, { unit: "°C" }])).toEqual([
      { key: "y0", unit: "°C", series: [0, 2], side: "left" },
      { key: "y1", unit: "%", series: [1], side: "right" },
    ]);
  });
});

describe("yRange", () => {
  it("pads the data's range", () => {
    expect(yRange(0, 100)).toEqual([-8, 108]);
  });
  it("includes thresholds", () => {
    const [lo, hi] = yRange(10, 20, [30]);
    expect(lo).toBeLessThan(10);
    expect(hi).toBeGreaterThan(30);
  });
  it("gives a flat line room, and nothing [0, 1]", () => {
    expect(yRange(5, 5)).toEqual([4.5, 5.5]);
    expect(yRange(0, 0)).toEqual([-1, 1]);
    expect(yRange(null, null)).toEqual([0, 1]);
    expect(yRange(null, null, [30])).toEqual([27, 33]);
  });
});

describe("isLiveRange", () => {
  it("is live for a sliding window or a range that ends in the future", () => {
    expect(isLiveRange({ to: 0, relativeMs: 3600_000 }, 1000)).toBe(true);
    expect(isLiveRange({ to: 2000 }, 1000)).toBe(true);
    expect(isLiveRange({ to: 1000 }, 1000)).toBe(false);
  });
});
