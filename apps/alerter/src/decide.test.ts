import { describe, expect, it } from "vitest";
import { type Comparator, decide, type RuleForDecision } from "./decide";

const rule = (overrides: Partial<RuleForDecision> = {}): RuleForDecision => ({
  comparator: "gt",
  threshold: 30,
  recoveryThreshold: null,
  aggregate: "avg",
  noData: "keep",
  ...overrides,
});

describe("decide", () => {
  it.each<[Comparator, number, boolean]>([
    ["gt", 30, false],
    ["gt", 30.000001, true],
    ["gt", 29.999999, false],
    ["gte", 30, true],
    ["gte", 30.000001, true],
    ["gte", 29.999999, false],
    ["lt", 30, false],
    ["lt", 29.999999, true],
    ["lt", 30.000001, false],
    ["lte", 30, true],
    ["lte", 29.999999, true],
    ["lte", 30.000001, false],
  ])("%s 30 with %f breaches: %s", (comparator, value, breaches) => {
    expect(decide(rule({ comparator }), value, false)).toBe(breaches ? "open" : "nothing");
    // ...and a firing alert resolves exactly when it no longer breaches.
    expect(decide(rule({ comparator }), value, true)).toBe(breaches ? "nothing" : "resolve");
  });

  it("hysteresis: fires above 30, resolves only at or below 28", () => {
    const r = rule({ recoveryThreshold: 28 });
    expect(decide(r, 31, false)).toBe("open");
    expect(decide(r, 30, true)).toBe("nothing");
    expect(decide(r, 29, true)).toBe("nothing");
    expect(decide(r, 28.5, true)).toBe("nothing");
    expect(decide(r, 28, true)).toBe("resolve");
    // Hovering between the two never reopens a resolved rule either.
    expect(decide(r, 29, false)).toBe("nothing");
  });

  it("hysteresis for a lower bound: fires below 10, resolves at or above 12", () => {
    const r = rule({ comparator: "lt", threshold: 10, recoveryThreshold: 12 });
    expect(decide(r, 9, false)).toBe("open");
    expect(decide(r, 11, true)).toBe("nothing");
    expect(decide(r, 12, true)).toBe("resolve");
  });

  it("no data: keep (default), resolve, or fire", () => {
    expect(decide(rule({ noData: "keep" }), null, true)).toBe("nothing");
    expect(decide(rule({ noData: "keep" }), null, false)).toBe("nothing");
    expect(decide(rule({ noData: "resolve" }), null, true)).toBe("resolve");
    expect(decide(rule({ noData: "resolve" }), null, false)).toBe("nothing");
    expect(decide(rule({ noData: "fire" }), null, false)).toBe("open");
    expect(decide(rule({ noData: "fire" }), null, true)).toBe("nothing");
  });

  it("count: an empty window counts 0, which is a value, not missing data", () => {
    const tooFew = rule({ aggregate: "count", comparator: "lt", threshold: 1, noData: "keep" });
    expect(decide(tooFew, null, false)).toBe("open");
    expect(decide(tooFew, 3, true)).toBe("resolve");
  });
});
