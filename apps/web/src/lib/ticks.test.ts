import { describe, expect, it } from "vitest";
import { MAX_TICKS, niceTicks } from "./ticks";

describe("niceTicks", () => {
  it("round steps inside the range", () => {
    expect(niceTicks(0, 10)).toEqual([0, 2.5, 5, 7.5, 10]);
    expect(niceTicks(18.3, 24.9)).toEqual([20, 22, 24]);
    expect(niceTicks(-3, 3)).toEqual([-2, 0, 2]);
    expect(niceTicks(0.001, 0.009)).toEqual([0.002, 0.004, 0.006, 0.008]);
  });

  it("a flat range is its one value; reversed ends are put in order", () => {
    expect(niceTicks(21, 21)).toEqual([21]);
    expect(niceTicks(10, 0)).toEqual([0, 2.5, 5, 7.5, 10]);
  });

  it("ends one ulp apart come back at once, as the two ends", () => {
    const min = 1;
    const max = 1 + Number.EPSILON;
    expect(niceTicks(min, max)).toEqual([min, max]);
    const big = 1e15;
    expect(niceTicks(big, big + 0.125)).toEqual([big, big + 0.125]);
  });

  it("ranges a double cannot step through, and non-finite ends, stay bounded", () => {
    expect(niceTicks(-1e308, 1e308)).toEqual([-1e308, 1e308]);
    expect(niceTicks(Number.NaN, 1)).toEqual([]);
    expect(niceTicks(0, Number.POSITIVE_INFINITY)).toEqual([]);
    for (const [a, b] of [
      [0, 1e-300],
      [-1e15, 1e15],
      [5e-324, 1e-323],
    ] as const)
      expect(niceTicks(a, b).length).toBeLessThanOrEqual(MAX_TICKS);
  });
});
