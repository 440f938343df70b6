import { describe, expect, it } from "vitest";
import { halves, isDataError } from "./isolation";

describe("isDataError", () => {
  it("is true for PostgreSQL data exceptions (SQLSTATE class 22)", () => {
    expect(isDataError({ code: "22003" })).toBe(true); // numeric value out of range (float8 overflow)
    expect(isDataError({ code: "22012" })).toBe(true); // division by zero
  });

  it("is false for connection faults, timeouts and anything without a SQLSTATE", () => {
    expect(isDataError({ code: "ECONNREFUSED" })).toBe(false);
    expect(isDataError({ code: "57014" })).toBe(false); // statement timeout
    expect(isDataError({ code: "08006" })).toBe(false); // connection failure
    expect(isDataError(new Error("boom"))).toBe(false);
    expect(isDataError(null)).toBe(false);
  });
});

describe("halves", () => {
  it("splits a group in two, the first half the larger", () => {
    expect(halves(["a", "b", "c"])).toEqual([["a", "b"], ["c"]]);
    expect(halves(["a", "b"])).toEqual([["a"], ["b"]]);
  });

  it("does not split a single device", () => {
    expect(halves(["a"])).toBeUndefined();
    expect(halves([])).toBeUndefined();
  });
});
