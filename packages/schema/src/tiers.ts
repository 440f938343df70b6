// The chart's storage tiers, as pure decisions (docs/rollup-tiers.md): which bucket a chart of a
// range gets, which buckets the stored tiers can serve for a range, and which part of a range
// each tier serves. The queries that read the tiers are in queries/rollups.ts.
//
//   raw readings      kept RAW_RETENTION_DAYS (30)     any bucket
//   minute rollups    kept MINUTE_RETENTION_DAYS (400) buckets of whole minutes
//   hourly rollups    kept for good                    buckets of whole hours
//
// A chart spans at most MAX_CHART_RANGE_DAYS, in at most MAX_POINTS buckets.
import { InvalidError } from "./errors";
import { retentionStart } from "./partitions";

/** Bucket sizes a chart may use, in seconds: round numbers a person reads easily. */
export const BUCKET_STEPS = [
  1, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400,
] as const;

/** A chart carries at most about this many points. */
export const MAX_POINTS = 500;

export { DEFAULT_MINUTE_RETENTION_DAYS, DEFAULT_RAW_RETENTION_DAYS } from "@pulseboard/runtime/retention";
/**
 * The longest range a chart may ask for. At 500 points its buckets are whole days, read from about
 * 9,600 hourly rows per series; a longer range would read proportionally more on every request.
 */
export const MAX_CHART_RANGE_DAYS = 400;

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/**
 * The smallest step that keeps the range within MAX_POINTS buckets and is at least `finest`
 * seconds. A requested bucket is honoured unless it would exceed MAX_POINTS, in which case the
 * automatic choice wins.
 */
export function chooseBucketSeconds(from: Date, to: Date, requested?: number, finest = 1): number {
  const rangeSeconds = Math.max(1, (to.getTime() - from.getTime()) / 1000);
  const minimum = rangeSeconds / MAX_POINTS;
  if (requested !== undefined && requested >= minimum) return requested;
  const floor = Math.max(minimum, finest);
  return BUCKET_STEPS.find((step) => step >= floor) ?? Math.ceil(floor / 86400) * 86400;
}

export interface TierLimits {
  now: Date;
  rawRetentionDays: number;
  minuteRetentionDays: number;
}

/**
 * The finest bucket the stored tiers serve for a range starting at `from`: any (1 s) while the
 * raw readings are kept, whole minutes while the minute rollups are, whole hours beyond. (Data
 * at or after a retention start is never dropped: partitions go only once wholly before it.)
 */
export function finestBucketSeconds(from: Date, { now, rawRetentionDays, minuteRetentionDays }: TierLimits) {
  if (from.getTime() >= retentionStart(now, rawRetentionDays).getTime()) return 1;
  if (from.getTime() >= retentionStart(now, minuteRetentionDays).getTime()) return 60;
  return 3600;
}

/**
 * The bucket a chart of [from, to) gets: the requested one if the stored tiers serve it (an
 * InvalidError naming the limit otherwise), or the automatic choice, never finer than they serve.
 */
export function chartBucketSeconds(from: Date, to: Date, requested: number | undefined, limits: TierLimits) {
  const finest = finestBucketSeconds(from, limits);
  const bucket = chooseBucketSeconds(from, to, requested, finest);
  if (bucket % finest === 0) return bucket;
  throw new InvalidError(
    finest === 60
      ? `buckets that are not whole minutes are kept for the last ${limits.rawRetentionDays} days only (RAW_RETENTION_DAYS), and this range starts before that: ask for a bucket of whole minutes, or none`
      : `buckets that are not whole hours are kept for the last ${limits.minuteRetentionDays} days only (MINUTE_RETENTION_DAYS), and this range starts before that: ask for a bucket of whole hours, or none`,
    { field: "bucket" },
  );
}

/**
 * Where an incremental read starts: at `since`, the start of the last bucket the client holds
 * (re-read, since it may have been partial), or at `from` when the range starts later. `since`
 * must be a bucket start; otherwise its first bucket would be computed from part of its readings.
 */
export function incrementalFrom(from: Date, since: Date, bucketSeconds: number): Date {
  if (since.getTime() % (bucketSeconds * 1000) !== 0) {
    throw new InvalidError(
      `since must be the start of a ${bucketSeconds}-second bucket (the t of the last point received)`,
      { field: "since" },
    );
  }
  return since.getTime() > from.getTime() ? since : from;
}

export interface TierPlan {
  /** [first, last): the whole minutes of the range, served by the rollups and the readings not rolled up yet. */
  first: Date;
  last: Date;
  /** [hourFrom, hourTo) within [first, last): whole hours the hourly tier serves (empty when equal). */
  hourFrom: Date;
  hourTo: Date;
}

const floorTo = (ms: number, unit: number) => Math.floor(ms / unit) * unit;
const ceilTo = (ms: number, unit: number) => Math.ceil(ms / unit) * unit;

/**
 * Which tier serves which part of [from, to) for buckets of `bucketSeconds`, given the hourly
 * tier's cutoff (null: it holds nothing yet). Null when the stored tiers serve none of it: buckets
 * that are not whole minutes, or a range within one minute. Hours come from the hourly tier when
 * the buckets are whole hours and the hour's UTC day had ended by the cutoff (the hourly tier
 * holds a closed day's minutes); the partial minutes at the edges always come from the readings.
 */
export function planTiers(
  from: Date,
  to: Date,
  bucketSeconds: number,
  hourlyCutoff: Date | null,
): TierPlan | null {
  if (bucketSeconds % 60 !== 0) return null;
  const first = ceilTo(from.getTime(), MINUTE_MS);
  const last = floorTo(to.getTime(), MINUTE_MS);
  if (first >= last) return null;
  let hourFrom = first;
  let hourTo = first;
  if (bucketSeconds % 3600 === 0 && hourlyCutoff !== null) {
    const start = ceilTo(from.getTime(), HOUR_MS);
    const end = Math.min(floorTo(to.getTime(), HOUR_MS), floorTo(hourlyCutoff.getTime(), DAY_MS));
    if (start < end) [hourFrom, hourTo] = [start, end];
  }
  return {
    first: new Date(first),
    last: new Date(last),
    hourFrom: new Date(hourFrom),
    hourTo: new Date(hourTo),
  };
}

/**
 * Rule windows at least this long read the minute roll-ups for their whole minutes (plus the
 * raw readings of the edge minutes and of what is not rolled up yet) instead of every reading:
 * shorter ones would read about as many raw rows either way (the last minute or two are never
 * rolled up yet, and the edges are up to two minutes).
 */
export const TIERED_WINDOW_SECONDS = 900;

/** Whether a rule's window is read from the minute roll-ups and a raw tail (else the readings alone). */
export function windowReadsTiers(aggregate: string, windowSeconds: number): boolean {
  // `last` is one step back along the key, however long the window.
  return aggregate !== "last" && windowSeconds >= TIERED_WINDOW_SECONDS;
}

/** How one group of rule windows is read, and the earliest instant any of them reads. */
export interface WindowReadGroup<R> {
  read: "raw" | "tiered";
  /**
   * The earliest window start in the group: the statement bounds every read by it, so the planner
   * keeps only the partitions from there on (a statement whose only bound is per rule plans every
   * partition, ~1 s on PostgreSQL 15 with a few hundred of them).
   */
  from: Date;
  rules: R[];
}

/**
 * Rules in at most three groups, each read by one statement: short windows (raw, the common case,
 * bounded to the last few minutes' partitions), long `last` windows (raw, one step back along the
 * key, bounded by the longest), long windows of the other aggregates (the tiers). Empty groups are
 * left out, so a statement over many partitions is built only when a long window asks for it.
 */
export function windowReadGroups<R extends { aggregate: string; windowSeconds: number }>(
  rules: readonly R[],
  now: Date,
): WindowReadGroup<R>[] {
  const short: R[] = [];
  const longLast: R[] = [];
  const tiered: R[] = [];
  for (const rule of rules) {
    if (windowReadsTiers(rule.aggregate, rule.windowSeconds)) tiered.push(rule);
    else if (rule.windowSeconds >= TIERED_WINDOW_SECONDS) longLast.push(rule);
    else short.push(rule);
  }
  const group = (read: "raw" | "tiered", list: R[]): WindowReadGroup<R>[] =>
    list.length === 0
      ? []
      : [
          {
            read,
            from: new Date(now.getTime() - 1000 * Math.max(...list.map((r) => r.windowSeconds))),
            rules: list,
          },
        ];
  return [...group("raw", short), ...group("raw", longLast), ...group("tiered", tiered)];
}
