// A chart's points as CSV: one row per bucket any series has, the figures of each series beside.

import type { ChartPoint } from "./chart-data";
import { csvField } from "./csv";

export interface CsvSeries {
  label: string;
  unit: string;
  points: readonly ChartPoint[];
}

/**
 * `bucket_start` (ISO-8601 UTC), then per series `<label> min (<unit>)`, `avg`, `max`, `count`;
 * empty cells where a series has no bucket. Text (the header) goes through `csvField`; figures
 * are JavaScript's own number text, which a spreadsheet reads as a number and never as a formula
 * (`csvField` would quote a negative one as text: `'-3.5`).
 */
export function chartCsv(series: readonly CsvSeries[]): string {
  const header = ["bucket_start"];
  for (const s of series) {
    const unit = s.unit ? ` (${s.unit})` : "";
    header.push(
      `${s.label} min${unit}`,
      `${s.label} avg${unit}`,
      `${s.label} max${unit}`,
      `${s.label} count`,
    );
  }
  const byStart = series.map((s) => new Map(s.points.map((p) => [Date.parse(p.t), p])));
  const starts = [...new Set(byStart.flatMap((m) => [...m.keys()]))].sort((a, b) => a - b);
  const lines = [header.map(csvField).join(",")];
  for (const start of starts) {
    const row = [csvField(new Date(start).toISOString())];
    for (const m of byStart) {
      const p = m.get(start);
      row.push(...(p ? [p.min, p.avg, p.max, p.count].map(String) : ["", "", "", ""]));
    }
    lines.push(row.join(","));
  }
  return `${lines.join("\n")}\n`;
}

/** A file-name-safe piece: letters, digits, `.`, `_` and `-`; "chart" when nothing is left. */
function slug(text: string): string {
  return (
    text
      .normalize("NFKD")
      .replace(/[^A-Za-z0-9._-]+/g, "-")
      .replace(/^[-.]+|-+$/g, "")
      .slice(0, 60) || "chart"
  );
}

/** Compact UTC time for a file name: 2026-03-03T1405Z. */
function stamp(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace(":", "")}Z`;
}

/** `<device or label>-<metric>-<from>-<to>.csv`. */
export function chartCsvFileName(name: string, metric: string, fromMs: number, toMs: number): string {
  return `${slug(name)}-${slug(metric)}-${stamp(fromMs)}-${stamp(toMs)}.csv`;
}
