import { describe, expect, it } from "vitest";
import { formatNumber, pickLocale } from "./locale";

describe("pickLocale", () => {
  it("takes the browser's first language by weight", () => {
    expect(pickLocale("de-DE,de;q=0.9,en;q=0.8")).toBe("de-DE");
    expect(pickLocale("en;q=0.5, fr-CA;q=0.9")).toBe("fr-CA");
    expect(pickLocale("ja")).toBe("ja");
  });

  it("falls back to en-US for nothing, wildcards and garbage", () => {
    expect(pickLocale(null)).toBe("en-US");
    expect(pickLocale("*")).toBe("en-US");
    expect(pickLocale("<script>, ;q=1")).toBe("en-US");
    expect(pickLocale("de;q=0")).toBe("en-US");
  });
});

describe("formatNumber", () => {
  it("writes a number the locale's way, the same wherever it is shown", () => {
    expect(formatNumber(3975, "en-US")).toBe("3,975");
    expect(formatNumber(3975.5, "de-DE")).toBe("3.975,5");
    expect(formatNumber(1 / 3, "en-US")).toBe("0.33");
  });
});
