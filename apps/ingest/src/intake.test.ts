import { describe, expect, it } from "vitest";
import { messageIdProblems } from "./intake";

describe("messageIdProblems (HTTP Idempotency-Key)", () => {
  it("none without the header, or with one equal to the body's mid", () => {
    expect(messageIdProblems(undefined, undefined)).toEqual([]);
    expect(messageIdProblems("m1", undefined)).toEqual([]);
    expect(messageIdProblems(undefined, "k-1")).toEqual([]);
    expect(messageIdProblems("k-1", "k-1")).toEqual([]);
  });

  it("a header that is no message id, or one contradicting the body's mid", () => {
    expect(messageIdProblems(undefined, "has space")).toEqual([
      {
        reason: "bad_shape",
        path: "",
        message: "Idempotency-Key: must be 1-64 characters of A-Z a-z 0-9 _ . : -",
      },
    ]);
    expect(messageIdProblems("a", "b")).toEqual([
      { reason: "bad_shape", path: "mid", message: "mid differs from the Idempotency-Key header" },
    ]);
  });
});
