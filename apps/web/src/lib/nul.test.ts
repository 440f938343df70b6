import { describe, expect, it } from "vitest";
import { holdsNul } from "./nul";

describe("holdsNul", () => {
  it("finds U+0000 in a value, a key, or deep inside arrays and objects", () => {
    expect(holdsNul("a\0b")).toBe(true);
    expect(holdsNul({ "x\0": 1 })).toBe(true);
    expect(holdsNul({ a: [1, { b: ["ok", "n\0"] }] })).toBe(true);
    expect(holdsNul(JSON.parse('{"__proto__": {"x": "\\u0000"}}'))).toBe(true);
  });

  it("passes everything else, text that merely spells \\u0000 included", () => {
    expect(holdsNul({ name: "Gewächshaus 🌱", n: 1, z: null, t: true, list: [] })).toBe(false);
    expect(holdsNul(JSON.parse('{"name": "\\\\u0000"}'))).toBe(false);
  });

  it("walks 10,000 levels of nesting without overflowing the stack", () => {
    expect(holdsNul(JSON.parse(`${"[".repeat(10_000)}"\\u0000"${"]".repeat(10_000)}`))).toBe(true);
    expect(holdsNul(JSON.parse(`${"[".repeat(10_000)}${"]".repeat(10_000)}`))).toBe(false);
  });
});
