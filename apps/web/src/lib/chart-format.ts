// How the time-series chart words things: bucket sizes, values with units, the hovered bucket.
import { formatValue } from "./format";
import { withUnit } from "./units";

const UNITS: [seconds: number, word: string][] = [
  [86_400, "d"],
  [3600, "h"],
  [60, "min"],
  [1, "s"],
];

/**
 * A bucket length in words, exact: "10 s", "1 min", "2 h", "1 d"; the largest unit it is a whole
 * number of ("90 s", not "1.5 min").
 */
export function bucketSize(seconds: number): string {
  for (const [size, word] of UNITS) {
    if (seconds >= size && seconds % size === 0) return `${seconds / size} ${word}`;
  }
  return `${seconds} s`;
}

/** The chart header's note: "2 h buckets". */
export function bucketWords(seconds: number): string {
  return `${bucketSize(seconds)} buckets`;
}

/** A value as the chart shows it: "21.4 °C", "—" for none. */
export function valueWithUnit(value: number | null | undefined, unit: string, locale?: string): string {
  if (value === null || value === undefined) return "—";
  return withUnit(formatValue(value, locale), unit);
}

/** A series' name with its unit: "temperature (°C)", or just the name without one. */
export function labelWithUnit(label: string, unit: string): string {
  return unit ? `${label} (${unit})` : label;
}

/** The hovered bucket's time span, in the user's time zone: "Mar 3, 14:05 – 14:10". */
export function bucketSpan(
  startMs: number,
  bucketSeconds: number,
  locale?: string,
  timeZone?: string,
): string {
  const end = startMs + bucketSeconds * 1000;
  const day = (ms: number) =>
    new Date(ms).toLocaleDateString(locale, { month: "short", day: "numeric", timeZone });
  const time = (ms: number) =>
    new Date(ms).toLocaleTimeString(locale, {
      timeZone,
      hour: "2-digit",
      minute: "2-digit",
      ...(bucketSeconds < 60 ? { second: "2-digit" } : {}),
    });
  if (bucketSeconds >= 86_400) return `${day(startMs)} – ${day(end)}`;
  const endDay = day(end) === day(startMs) ? "" : `${day(end)}, `;
  return `${day(startMs)}, ${time(startMs)} – ${endDay}${time(end)}`;
}

/**
 * The time axis' labels, in the user's locale and time zone: months, days, or times of day (a
 * tick where the day changes says the day too, on a second line); seconds when ticks are closer
 * than a minute. `splits` and `incrSeconds` are uPlot's (seconds).
 */
export function timeTicks(splits: number[], incrSeconds: number, locale: string, timeZone: string): string[] {
  const format = (options: Intl.DateTimeFormatOptions) =>
    new Intl.DateTimeFormat(locale, { timeZone, ...options });
  if (incrSeconds >= 28 * 86_400) {
    const month = format({ month: "short", year: "numeric" });
    return splits.map((s) => month.format(s * 1000));
  }
  const day = format({ month: "short", day: "numeric" });
  if (incrSeconds >= 86_400) return splits.map((s) => day.format(s * 1000));
  const time = format({
    hour: "2-digit",
    minute: "2-digit",
    ...(incrSeconds < 60 ? { second: "2-digit" } : {}),
  });
  let previousDay = "";
  return splits.map((s, i) => {
    const d = day.format(s * 1000);
    const t = time.format(s * 1000);
    const label = i === 0 || d !== previousDay ? `${t}\n${d}` : t;
    previousDay = d;
    return label;
  });
}

/** Series colours, in order; the first is the app's accent. */
export const SERIES_COLORS = ["#2563eb", "#ea580c", "#16a34a", "#9333ea", "#0891b2", "#ca8a04"] as const;

export function seriesColor(index: number): string {
  return SERIES_COLORS[index % SERIES_COLORS.length] as string;
}

/** A `#rrggbb` colour at an opacity (the min–max band's fill); other colours as they are. */
export function withAlpha(color: string, alpha: number): string {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color);
  if (!m) return color;
  const [r, g, b] = [m[1], m[2], m[3]].map((h) => Number.parseInt(h as string, 16));
  return `rgba(${r}, ${g}, ${b}, ${alpha})`;
}
