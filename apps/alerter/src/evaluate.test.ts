import { describe, expect, it } from "vitest";
import { chunked } from "./evaluate";

describe("chunked", () => {
  it("splits in order into chunks of at most the size", () => {
    expect(chunked([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunked([1, 2], 250)).toEqual([[1, 2]]);
    expect(chunked([], 250)).toEqual([]);
  });
});
