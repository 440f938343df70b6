import { describe, expect, it } from "vitest";
import { MAINTENANCE_INTERVAL_MS, maintenanceDue } from "./maintenance";

describe("maintenance throttle", () => {
  it("runs at the first sweep, then once per interval however often sweeps come", () => {
    expect(maintenanceDue(Number.NEGATIVE_INFINITY, 0)).toBe(true);
    const started = 1_000_000;
    // Sweeps every 30 s after a run: none due until the interval has passed.
    const sweeps = Array.from({ length: 12 }, (_, i) => started + (i + 1) * 30_000);
    expect(sweeps.filter((at) => maintenanceDue(started, at))).toEqual([
      started + MAINTENANCE_INTERVAL_MS,
      started + 330_000,
      started + 360_000,
    ]);
    expect(maintenanceDue(started, started + MAINTENANCE_INTERVAL_MS - 1)).toBe(false);
  });
});
