import { describe, expect, it } from "vitest";
import { findFreePort } from "./ports";

describe("findFreePort", () => {
  it("never hands this process the same port twice in a row of calls, though none is bound yet", async () => {
    const ports: number[] = [];
    for (let i = 0; i < 300; i++) ports.push(await findFreePort());
    expect(new Set(ports).size).toBe(ports.length);
    expect(ports.every((p) => p > 0 && p < 65536)).toBe(true);
  });
});
