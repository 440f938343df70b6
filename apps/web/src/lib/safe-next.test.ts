import { describe, expect, it } from "vitest";
import { safeNext } from "./safe-next";

describe("where to go after signing in (?next=)", () => {
  it("keeps a path on this site, with its query and fragment", () => {
    expect(safeNext("/dashboard")).toBe("/dashboard");
    expect(safeNext("/devices/abc?range=24h#chart")).toBe("/devices/abc?range=24h#chart");
    expect(safeNext("/settings")).toBe("/settings");
    expect(safeNext("/")).toBe("/");
    expect(safeNext("/dashboard?q=a%20b")).toBe("/dashboard?q=a%20b");
  });

  it("falls back to the dashboard without one", () => {
    expect(safeNext(null)).toBe("/dashboard");
    expect(safeNext("")).toBe("/dashboard");
  });

  it("refuses absolute and protocol-relative URLs", () => {
    for (const next of [
      "https://evil.example",
      "http://evil.example/dashboard",
      "//evil.example",
      "//evil.example/dashboard",
      "javascript:alert(1)",
      "evil.example",
      "dashboard",
    ]) {
      expect({ next, to: safeNext(next) }).toEqual({ next, to: "/dashboard" });
    }
  });

  it("refuses backslash, encoded and whitespace tricks browsers read as another host", () => {
    for (const next of [
      "/\\evil.example",
      "/\\\\evil.example",
      "\\\\evil.example",
      "\\/evil.example",
      "/\t/evil.example",
      "/\n/evil.example",
      "/\r\n/evil.example",
      "\t//evil.example",
      " //evil.example",
      "/%5Cevil.example",
      "/%5cevil.example",
      "/%2F/evil.example",
      "/%2f%2fevil.example",
      "/%09/evil.example",
      "///evil.example",
    ]) {
      expect({ next, to: safeNext(next) }).toEqual({ next, to: "/dashboard" });
    }
  });
});
