import { describe, expect, it } from "vitest";
import { accountKey, FREE_FAILURES, MAX_WAIT_SECONDS, waitAfterFailures } from "./sign-in-throttle";

describe("waitAfterFailures", () => {
  it("lets the first tries through, then doubles the wait up to its cap", () => {
    expect(Array.from({ length: FREE_FAILURES }, (_, i) => waitAfterFailures(i))).toEqual([0, 0, 0, 0, 0]);
    expect([5, 6, 7, 8, 9, 10].map(waitAfterFailures)).toEqual([1, 2, 4, 8, 16, 32]);
    expect(waitAfterFailures(11)).toBe(MAX_WAIT_SECONDS);
    expect(waitAfterFailures(10_000)).toBe(MAX_WAIT_SECONDS);
  });
});

describe("accountKey", () => {
  it("is the e-mail as stored, or nothing for what is not one", () => {
    expect(accountKey("  Alice@Example.COM ")).toBe("alice@example.com");
    expect(accountKey("")).toBeUndefined();
    expect(accountKey(42)).toBeUndefined();
    expect(accountKey(undefined)).toBeUndefined();
  });
});
