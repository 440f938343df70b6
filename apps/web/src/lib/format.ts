// Formatting shared by server and client components (type-only imports from the schema: its
// modules are not for the browser bundle).
import type { COMPARATORS } from "@pulseboard/schema/telemetry";

/** A measured value in the user's locale: 2 decimals, 1 from 100, exponent notation past a million. */
export function formatValue(value: number | null | undefined, locale = "en-US"): string {
  if (value === null || value === undefined) return "—";
  const abs = Math.abs(value);
  if (abs !== 0 && (abs >= 1e6 || abs < 1e-3)) return value.toExponential(2);
  return value.toLocaleString(locale, { maximumFractionDigits: abs >= 100 ? 1 : 2 });
}

/**
 * An instant in the user's zone and locale: "Dec 1, 2026, 7:00 AM" (or the date alone); with
 * `nameZone` (a reader who is not signed in, shown UTC) the zone is said after it.
 */
export function formatDateTime(
  date: Date,
  {
    timeZone,
    locale,
    dateOnly = false,
    nameZone = false,
  }: { timeZone: string; locale: string; dateOnly?: boolean; nameZone?: boolean },
): string {
  const text = date.toLocaleString(locale, {
    timeZone,
    dateStyle: "medium",
    ...(dateOnly ? {} : { timeStyle: "short" }),
  });
  return nameZone && !dateOnly ? `${text} ${timeZone}` : text;
}

/** How each of the schema's comparators reads; the type makes it name every one of them. */
export const COMPARATOR_SYMBOLS = { gt: ">", gte: "≥", lt: "<", lte: "≤" } as const satisfies Record<
  (typeof COMPARATORS)[number],
  string
>;

export function describeRule(rule: {
  metric: string;
  comparator: keyof typeof COMPARATOR_SYMBOLS;
  threshold: number;
  aggregate: string;
  windowSeconds: number;
  /** The rule's name, when the owner gave it one: it comes first. */
  ruleName?: string | null;
  /** The metric's unit, after the threshold. */
  unit?: string;
  /** The reader's locale, for the threshold. */
  locale?: string;
}): string {
  const threshold = rule.unit
    ? `${formatValue(rule.threshold, rule.locale)} ${rule.unit}`
    : formatValue(rule.threshold, rule.locale);
  const condition = `${rule.aggregate}(${rule.metric}) over ${formatDuration(rule.windowSeconds)} ${COMPARATOR_SYMBOLS[rule.comparator]} ${threshold}`;
  return rule.ruleName ? `${rule.ruleName}: ${condition}` : condition;
}

export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 86400) return `${+(seconds / 3600).toFixed(1)} h`;
  return `${+(seconds / 86400).toFixed(1)} d`;
}

/** "3 min ago" style, for last-seen columns. */
export function timeAgo(at: Date | string | null, now = Date.now()): string {
  if (!at) return "never";
  const seconds = Math.max(0, Math.round((now - new Date(at).getTime()) / 1000));
  if (seconds < 5) return "just now";
  return `${formatDuration(seconds)} ago`;
}

/** A workout's duration, or a dash without an end time. */
export function workoutDuration(w: { performedAt: Date; endedAt: Date | null }): string {
  return w.endedAt ? formatDuration(Math.round((w.endedAt.getTime() - w.performedAt.getTime()) / 1000)) : "—";
}
