import { describe, expect, it } from "vitest";
import { alertRange } from "./alert-range";

const MINUTE = 60_000;
const fired = Date.parse("2026-12-04T12:00:00Z");

describe("alertRange", () => {
  it("puts the firing moment in the middle, half an hour either side", () => {
    expect(alertRange(fired, null)).toEqual({ from: fired - 30 * MINUTE, to: fired + 30 * MINUTE });
  });

  it("does not stop at now: a recent alert is still in the middle", () => {
    const { from, to } = alertRange(Date.now(), null);
    expect(to - Date.now()).toBeGreaterThan(29 * MINUTE);
    expect((from + to) / 2).toBeCloseTo(Date.now(), -4);
  });

  it("widens to show a late resolution with a margin after it", () => {
    const resolved = fired + 2 * 60 * MINUTE;
    const { from, to } = alertRange(fired, resolved);
    expect((from + to) / 2).toBe(fired);
    expect(to).toBeGreaterThan(resolved);
    expect(to - resolved).toBe(30 * MINUTE);
  });

  it("keeps a quick resolution within the half hour", () => {
    expect(alertRange(fired, fired + 5 * MINUTE)).toEqual({
      from: fired - 30 * MINUTE,
      to: fired + 30 * MINUTE,
    });
  });

  it("spans at most a week either side", () => {
    const { from, to } = alertRange(fired, fired + 60 * 24 * 60 * MINUTE);
    expect(to - from).toBe(14 * 24 * 60 * MINUTE);
  });
});
