import { describe, expect, it } from "vitest";
import {
  bucketSize,
  bucketSpan,
  bucketWords,
  labelWithUnit,
  seriesColor,
  timeTicks,
  valueWithUnit,
  withAlpha,
} from "./chart-format";

describe("bucketWords", () => {
  it("words a bucket length in its largest whole unit", () => {
    expect(bucketWords(10)).toBe("10 s buckets");
    expect(bucketWords(60)).toBe("1 min buckets");
    expect(bucketWords(300)).toBe("5 min buckets");
    expect(bucketWords(7200)).toBe("2 h buckets");
    expect(bucketWords(86_400)).toBe("1 d buckets");
    expect(bucketSize(90)).toBe("90 s");
    expect(bucketSize(5400)).toBe("90 min");
    expect(bucketSize(1)).toBe("1 s");
  });
});

describe("valueWithUnit", () => {
  it("formats a value with its unit, a dash for none", () => {
    expect(valueWithUnit(21.456, "°C")).toBe("21.46 °C");
    expect(valueWithUnit(1234.5, "")).toBe("1,234.5");
    expect(valueWithUnit(null, "°C")).toBe("—");
  });
  it("names a series with its unit", () => {
    expect(labelWithUnit("temperature", "°C")).toBe("temperature (°C)");
    expect(labelWithUnit("count", "")).toBe("count");
  });
});

describe("bucketSpan", () => {
  it("names the bucket's start and end", () => {
    const start = new Date(2026, 2, 3, 14, 5).getTime();
    const span = bucketSpan(start, 300, "en-GB");
    expect(span).toBe("3 Mar, 14:05 – 14:10");
    expect(bucketSpan(start, 10, "en-GB")).toBe("3 Mar, 14:05:00 – 14:05:10");
  });
});

describe("colours", () => {
  it("cycles the palette and makes a band's fill", () => {
    expect(seriesColor(0)).toBe("#2563eb");
    expect(seriesColor(6)).toBe("#2563eb");
    expect(withAlpha("#2563eb", 0.18)).toBe("rgba(37, 99, 235, 0.18)");
    expect(withAlpha("red", 0.5)).toBe("red");
  });
});

describe("timeTicks", () => {
  const at = (iso: string) => Date.parse(iso) / 1000;
  it("writes times of day on the user's clock, the day where it changes", () => {
    const splits = [at("2026-11-30T14:00:00Z"), at("2026-11-30T15:00:00Z"), at("2026-11-30T16:00:00Z")];
    // 23:00, 00:00 and 01:00 in Tokyo: the second tick starts Dec 1.
    expect(timeTicks(splits, 3600, "en-GB", "Asia/Tokyo")).toEqual([
      "23:00\n30 Nov",
      "00:00\n1 Dec",
      "01:00",
    ]);
    expect(timeTicks(splits, 3600, "en-GB", "UTC")).toEqual(["14:00\n30 Nov", "15:00", "16:00"]);
  });

  it("writes days and months in the locale", () => {
    expect(timeTicks([at("2026-12-01T00:00:00Z")], 86_400, "de-DE", "UTC")).toEqual(["1. Dez."]);
    expect(timeTicks([at("2026-12-01T00:00:00Z")], 30 * 86_400, "en-US", "UTC")).toEqual(["Dec 2026"]);
  });
});
