import { describe, expect, it } from "vitest";
import { lossVerdict, type ReadingsComparison } from "./loss-verdict";

const clean: ReadingsComparison = {
  acknowledged: 1_234_567,
  recorded: 1_234_567,
  repeated: 0,
  missing: 0,
  mismatched: 0,
  stored: 1_234_567,
  unacknowledged: 0,
  examples: [],
};

describe("lossVerdict", () => {
  it("is OK when every acknowledged reading is stored with its value", () => {
    expect(lossVerdict(clean)).toEqual({
      lossFree: true,
      word: "OK",
      line: "1,234,567 readings acknowledged, all stored with their values: OK; duplicates in storage: impossible (primary key device, metric, recorded_at)",
    });
  });

  it("reports rows stored but never seen acknowledged without failing", () => {
    const v = lossVerdict({ ...clean, stored: 1_234_579, unacknowledged: 12 });
    expect(v.lossFree).toBe(true);
    expect(v.line).toContain(": OK; 12 more stored, never seen acknowledged");
  });

  it("is LOSS for a missing reading and for one stored with another value", () => {
    const missing = lossVerdict({ ...clean, missing: 3, stored: 1_234_564, examples: ["a", "b", "c"] });
    expect(missing).toMatchObject({ lossFree: false, word: "LOSS" });
    expect(missing.line).toMatch(
      /^1,234,567 readings acknowledged: LOSS \(3 missing, 0 with another value; e\.g\. a, b, c\)/,
    );
    const other = lossVerdict({ ...clean, mismatched: 1, examples: ["x"] });
    expect(other.lossFree).toBe(false);
    expect(other.line).toContain("LOSS (0 missing, 1 with another value; e.g. x)");
  });

  it("claims nothing when not every acknowledged reading was recorded for the check", () => {
    const v = lossVerdict({ ...clean, recorded: 1_234_566 });
    expect(v).toMatchObject({ lossFree: false, word: "NOT CHECKED" });
    expect(v.line).toContain("1,234,566 of them recorded for the check: NOT CHECKED");
  });

  it("notes readings acknowledged twice, stored once, as no loss", () => {
    const v = lossVerdict({ ...clean, repeated: 2 });
    expect(v.lossFree).toBe(true);
    expect(v.line).toContain("2 acknowledged twice (stored once, by the primary key)");
  });
});
