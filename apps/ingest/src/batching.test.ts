import { describe, expect, it } from "vitest";
import { batchCut, firstOfEachMessageId, splitPoisoned } from "./batching";

describe("batch cut", () => {
  it("takes whole messages, oldest first, up to maxRows", () => {
    expect(batchCut([100, 200, 300], 1000)).toEqual({ messages: 3, rows: 600 });
    expect(batchCut([400, 400, 400], 1000)).toEqual({ messages: 2, rows: 800 });
    expect(batchCut([500, 500, 1], 1000)).toEqual({ messages: 2, rows: 1000 });
  });

  it("never splits a message: the one that would cross maxRows waits for the next flush", () => {
    expect(batchCut([999, 2, 1], 1000)).toEqual({ messages: 1, rows: 999 });
  });

  it("takes at least one message, even one larger than maxRows", () => {
    expect(batchCut([1500, 1], 1000)).toEqual({ messages: 1, rows: 1500 });
  });

  it("takes nothing from an empty queue", () => {
    expect(batchCut([], 1000)).toEqual({ messages: 0, rows: 0 });
  });
});

describe("poisoned batch", () => {
  it("is written one message at a time, in order", () => {
    expect(splitPoisoned(["a", "b", "c"])).toEqual([["a"], ["b"], ["c"]]);
  });

  it("of one message has nothing to split: that message fails", () => {
    expect(splitPoisoned(["a"])).toBeUndefined();
    expect(splitPoisoned([])).toBeUndefined();
  });
});

describe("first of each message id", () => {
  it("keeps messages without an id and the first copy of each (device, id)", () => {
    expect(firstOfEachMessageId([undefined, "d1 m1", "d1 m2", "d1 m1", undefined, "d2 m1", "d1 m2"])).toEqual(
      [true, true, true, false, true, true, false],
    );
    expect(firstOfEachMessageId([])).toEqual([]);
  });
});
