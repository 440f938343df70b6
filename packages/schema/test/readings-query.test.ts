// The chart query's contract (docs/api.md): a range of at most 400 days, an optional `since`
// before `to`; a malformed field is an issue, never an exception.
import { describe, expect, it } from "vitest";
import { readingsQuery } from "../src/schema/telemetry/validation";

const parse = (query: Record<string, string>) => readingsQuery.safeParse({ metric: "t", ...query });
const problems = (query: Record<string, string>) => {
  const result = parse(query);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
};

describe("readingsQuery", () => {
  it("takes a range of up to 400 days, and an optional since", () => {
    const ok = parse({
      from: "2025-11-01T00:00:00Z",
      to: "2026-12-06T00:00:00Z",
      since: "2026-12-05T00:00:00Z",
    });
    expect(ok.success && ok.data.since).toEqual(new Date("2026-12-05T00:00:00Z"));
    expect(problems({ from: "2025-11-01T00:00:00Z", to: "2026-12-06T00:00:01Z" })).toEqual([
      "to: the range is at most 400 days",
    ]);
    expect(
      problems({ from: "2026-12-01T00:00:00Z", to: "2026-12-02T00:00:00Z", since: "2026-12-02T00:00:00Z" }),
    ).toEqual(["since: since must be before to"]);
  });

  it("reports malformed instants as issues, not exceptions", () => {
    for (const query of <Record<string, string>[]>[
      { from: "yesterday", to: "2026-03-01T00:00:00Z" },
      { from: "2026-03-01T00:00:00Z", to: "later" },
      { from: "2026-03-01T00:00:00Z", to: "2026-03-02T00:00:00Z", since: "now" },
    ]) {
      expect(() => parse(query)).not.toThrow();
      expect(parse(query).success).toBe(false);
    }
  });
});
