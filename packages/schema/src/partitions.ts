// Time partitions of the big append-only tables (readings by day, minute roll-ups by month):
// which partitions a range needs, what they are called, and which are past retention. Pure:
// the DDL that creates, attaches and drops them is in queries/partitions.ts.
//
// Partitions are UTC days or months named `<table>_YYYYMMDD` / `<table>_YYYYMM`, so a name alone
// gives its bounds and partitions sort by name in time order.

export type PartitionUnit = "day" | "month";

export interface PartitionSpec {
  /** `<table>_YYYYMMDD` (day) or `<table>_YYYYMM` (month). */
  name: string;
  /** Inclusive lower bound, UTC midnight. */
  from: Date;
  /** Exclusive upper bound: the next partition's `from`. */
  to: Date;
}

const DAY_MS = 86_400_000;

/** The start (UTC) of the day or month holding `instant`. */
export function unitStart(unit: PartitionUnit, instant: Date): Date {
  const t = instant.getTime();
  if (unit === "day") return new Date(Math.floor(t / DAY_MS) * DAY_MS);
  return new Date(Date.UTC(instant.getUTCFullYear(), instant.getUTCMonth(), 1));
}

/** The start of the day or month after the one starting at `start`. */
export function nextUnitStart(unit: PartitionUnit, start: Date): Date {
  if (unit === "day") return new Date(start.getTime() + DAY_MS);
  return new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** The partition of `table` holding `instant`. */
export function partitionFor(table: string, unit: PartitionUnit, instant: Date): PartitionSpec {
  const from = unitStart(unit, instant);
  const suffix =
    `${pad(from.getUTCFullYear(), 4)}${pad(from.getUTCMonth() + 1)}` +
    (unit === "day" ? pad(from.getUTCDate()) : "");
  return { name: `${table}_${suffix}`, from, to: nextUnitStart(unit, from) };
}

/** Every partition of `table` that holds an instant of [from, to], oldest first. */
export function partitionsCovering(
  table: string,
  unit: PartitionUnit,
  from: Date,
  to: Date,
): PartitionSpec[] {
  const specs: PartitionSpec[] = [];
  for (
    let start = unitStart(unit, from);
    start.getTime() <= to.getTime();
    start = nextUnitStart(unit, start)
  ) {
    specs.push(partitionFor(table, unit, start));
  }
  return specs;
}

/**
 * The bounds a partition's name gives, or null when the name is not one of ours (a partition
 * someone attached by hand is then left alone).
 */
export function parsePartitionName(table: string, unit: PartitionUnit, name: string): PartitionSpec | null {
  const prefix = `${table}_`;
  if (!name.startsWith(prefix)) return null;
  const match = (unit === "day" ? /^(\d{4})(\d{2})(\d{2})$/ : /^(\d{4})(\d{2})$/).exec(
    name.slice(prefix.length),
  );
  if (!match) return null;
  const [year, month, day] = [
    Number(match[1]),
    Number(match[2]),
    match[3] === undefined ? 1 : Number(match[3]),
  ];
  const from = new Date(Date.UTC(year, month - 1, day));
  // Reject what Date.UTC silently rolls over (20260231 is not a day).
  if (from.getUTCMonth() !== month - 1 || from.getUTCDate() !== day) return null;
  const spec = partitionFor(table, unit, from);
  return spec.name === name ? spec : null;
}

/**
 * The oldest instant kept when `days` of a table are retained at `now`: the start of the day
 * `days` days before today (UTC). A partition ending at or before it holds nothing younger, so it
 * may go; a reading recorded before it is past retention.
 */
export function retentionStart(now: Date, days: number): Date {
  return new Date(unitStart("day", now).getTime() - days * DAY_MS);
}

/** The partitions, among `existing` names, that end at or before `keepFrom`: oldest first. */
export function expiredPartitions(
  table: string,
  unit: PartitionUnit,
  existing: readonly string[],
  keepFrom: Date,
): PartitionSpec[] {
  return existing
    .map((name) => parsePartitionName(table, unit, name))
    .filter((spec): spec is PartitionSpec => spec !== null && spec.to.getTime() <= keepFrom.getTime())
    .sort((a, b) => a.from.getTime() - b.from.getTime());
}

/**
 * Raw partitions may go when they end before `before`: retention's start as of the roll-up's
 * cutoff (not now), so a day is dropped only after every reading that could still arrive for it
 * (the ingest accepts a day until it falls out of retention) has been rolled up. No cutoff yet
 * (nothing ever rolled up): nothing goes.
 */
export function rawDropBefore(now: Date, rolledUpTo: Date | null, days: number): Date | null {
  if (!rolledUpTo) return null;
  return retentionStart(new Date(Math.min(now.getTime(), rolledUpTo.getTime())), days);
}

/** Days of reading partitions made ahead of today (by the ingest and by the alerter). */
export const DAYS_AHEAD = 3;

/** The days whose reading partitions are kept made ahead: today and DAYS_AHEAD after it. */
export function daysAhead(now: Date): { from: Date; to: Date } {
  const today = unitStart("day", now);
  return { from: today, to: new Date(today.getTime() + DAYS_AHEAD * DAY_MS) };
}

/**
 * How long after its day (or month) ends a partition counts as closed, so its indexes are
 * rebuilt packed: the roll-up has passed it and the stragglers of its last minutes are in.
 * Late readings may still come (for RAW_RETENTION_DAYS); they are few, and fit the rebuilt
 * key's free space (btree leaves are rebuilt 90% full).
 */
export const COMPACT_AFTER_MS = 60 * 60_000;

/**
 * The partitions of `names` closed at `now` (ending at least COMPACT_AFTER_MS ago), newest
 * first: the newest has the longest retention left to profit from a packed index.
 */
export function closedPartitions(
  table: string,
  unit: PartitionUnit,
  names: readonly string[],
  now: Date,
): PartitionSpec[] {
  const closedBy = now.getTime() - COMPACT_AFTER_MS;
  return names
    .map((name) => parsePartitionName(table, unit, name))
    .filter((spec): spec is PartitionSpec => spec !== null && spec.to.getTime() <= closedBy)
    .sort((a, b) => b.to.getTime() - a.to.getTime());
}
