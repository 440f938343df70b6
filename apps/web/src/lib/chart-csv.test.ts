import { describe, expect, it } from "vitest";
import { chartCsv, chartCsvFileName } from "./chart-csv";

const point = (t: string, avg: number, count: number) => ({ t, min: avg - 1, avg, max: avg + 1, count });

describe("chartCsv", () => {
  it("has a row per bucket and the figures of each series, units in the header", () => {
    const csv = chartCsv([
      {
        label: "temperature",
        unit: "°C",
        points: [point("2026-03-03T10:00:00Z", 21.5, 6), point("2026-03-03T10:01:00Z", -3.25, 2)],
      },
      { label: "humidity", unit: "%", points: [point("2026-03-03T10:01:00Z", 40, 3)] },
    ]);
    expect(csv.split("\n")).toEqual([
      "bucket_start,temperature min (°C),temperature avg (°C),temperature max (°C),temperature count,humidity min (%),humidity avg (%),humidity max (%),humidity count",
      "2026-03-03T10:00:00.000Z,20.5,21.5,22.5,6,,,,",
      "2026-03-03T10:01:00.000Z,-4.25,-3.25,-2.25,2,39,40,41,3",
      "",
    ]);
  });

  it("quotes labels that need it and neutralises formulas", () => {
    const csv = chartCsv([{ label: "=cmd, a", unit: "", points: [] }]);
    expect(csv).toBe(`bucket_start,"'=cmd, a min","'=cmd, a avg","'=cmd, a max","'=cmd, a count"\n`);
  });
});

describe("chartCsvFileName", () => {
  it("names the device, the metric and the range", () => {
    expect(
      chartCsvFileName(
        "Green house/1",
        "temperature",
        Date.parse("2026-03-03T10:00:00Z"),
        Date.parse("2026-03-03T11:30:00Z"),
      ),
    ).toBe("Green-house-1-temperature-2026-03-03T1000Z-2026-03-03T1130Z.csv");
    expect(chartCsvFileName("ÿ/", "", 0, 0)).toBe("y-chart-1970-01-01T0000Z-1970-01-01T0000Z.csv");
  });
});
