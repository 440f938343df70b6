import { describe, expect, it } from "vitest";
import { thresholdsByMetric } from "./thresholds";

describe("thresholds drawn on a device's charts", () => {
  it("groups each metric's rule thresholds in rule order", () => {
    const map = thresholdsByMetric([
      { metric: "temperature", threshold: 30 },
      { metric: "humidity", threshold: 80 },
      { metric: "temperature", threshold: -5 },
    ]);
    expect([...map]).toEqual([
      ["temperature", [30, -5]],
      ["humidity", [80]],
    ]);
  });

  it("metrics named like Object.prototype's keys are metrics like any other", () => {
    const map = thresholdsByMetric([
      { metric: "__proto__", threshold: 1 },
      { metric: "__proto__", threshold: 2 },
      { metric: "toString", threshold: 3 },
    ]);
    expect(map.get("__proto__")).toEqual([1, 2]);
    expect(map.get("toString")).toEqual([3]);
    expect(map.get("constructor")).toBeUndefined();
    expect(map.get("hasOwnProperty")).toBeUndefined();
  });
});
