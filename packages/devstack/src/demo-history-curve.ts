// The demo greenhouse sensor's past month, as pure functions of the time it is seeded: which
// minutes have readings (one per minute per metric, none over one weekend when the sensor was
// off), their values (the simulator's environment profile, so the same day/night cycle as the
// live readings, plus a few overheating afternoons), and the alert episode the demo rule had over
// them. ensureDemoHistory (demo-history.ts) stores what these describe.
import { createProfile, deviceSeed } from "@pulseboard/simulator";

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/** How far back the history goes. */
export const HISTORY_DAYS = 30;

/**
 * The seed the history's profile is made from: the first device of a simulator run with this
 * seed (the greenhouse sensor is the first demo device) publishes the very same curve live.
 */
export const DEMO_SIMULATOR_SEED = 7;
export const DEMO_PROFILE_SEED = deviceSeed(DEMO_SIMULATOR_SEED, 0);

/**
 * The demo's rule: the greenhouse is too hot when the 10-minute average passes 30 °C, and cool
 * again below 28 °C. The live profile stays under 27 °C, so only the history's breaches fire it.
 */
export const DEMO_RULE = {
  metric: "temperature",
  comparator: "gt",
  threshold: 30,
  recoveryThreshold: 28,
  windowSeconds: 600,
  aggregate: "avg",
  noData: "keep",
} as const;

/** An overheating afternoon: the temperature swells to `peak` °C around `peakAt` and back. */
export interface Breach {
  peakAt: number;
  peak: number;
}

export interface HistoryPlan {
  /** The first reading's minute and the end (exclusive): whole minutes, epoch ms. */
  startMs: number;
  endMs: number;
  /** A weekend without readings, [startMs, endMs): Saturday 00:00 to Monday 00:00 UTC. */
  gap: { startMs: number; endMs: number };
  /** Oldest first; the rule exists only from `ruleCreatedMs` on, so only later ones can fire it. */
  breaches: Breach[];
  ruleCreatedMs: number;
}

/** Half the length of a breach: it builds up and cools down over 2.5 h either side of its peak. */
export const BREACH_HALF_MS = 2.5 * HOUR_MS;

const floorTo = (ms: number, unit: number) => Math.floor(ms / unit) * unit;

/** 15:00 UTC (the profile's warmest hour) of the day `daysBack` days before `endMs`. */
const afternoon = (endMs: number, daysBack: number) =>
  floorTo(endMs - daysBack * DAY_MS, DAY_MS) + 15 * HOUR_MS;

/**
 * The plan for a history seeded at `nowMs`. It ends at the start of the current minute (the last
 * reading is one to two minutes old), or earlier where the device's own readings begin
 * (`liveFromMs`), so it never overlaps them; it starts HISTORY_DAYS before its end.
 */
export function planHistory(nowMs: number, liveFromMs: number | null = null): HistoryPlan {
  const endMs = floorTo(Math.min(nowMs, liveFromMs ?? nowMs), MINUTE_MS);
  const startMs = endMs - HISTORY_DAYS * DAY_MS;
  // The last weekend that began at least 9 days before the end: 9 to 16 days back, well inside
  // the month and clear of the breaches (26, 21 and 4 days back). Epoch day 0 was a Thursday,
  // so Saturdays are the days ≡ 2 (mod 7).
  const latestDay = Math.floor((endMs - 9 * DAY_MS) / DAY_MS);
  const saturday = latestDay - ((((latestDay - 2) % 7) + 7) % 7);
  const gap = { startMs: saturday * DAY_MS, endMs: (saturday + 2) * DAY_MS };
  const breaches = [
    { peakAt: afternoon(endMs, 26), peak: 31.8 },
    { peakAt: afternoon(endMs, 21), peak: 33.4 },
    { peakAt: afternoon(endMs, 4), peak: 32.6 },
  ];
  // The morning after the second hot afternoon, the owner set up the rule.
  const ruleCreatedMs = floorTo(breaches[1]?.peakAt ?? startMs, DAY_MS) + DAY_MS + 9 * HOUR_MS;
  return { startMs, endMs, gap, breaches, ruleCreatedMs };
}

/** Whether the sensor was off at `ts` (the weekend gap). */
export function inGap(plan: HistoryPlan, ts: number): boolean {
  return ts >= plan.gap.startMs && ts < plan.gap.endMs;
}

/** The minutes with readings, ascending: every minute of [start, end) outside the gap. */
export function readingMinutes(plan: HistoryPlan): number[] {
  const minutes: number[] = [];
  for (let ts = plan.startMs; ts < plan.endMs; ts += MINUTE_MS) if (!inGap(plan, ts)) minutes.push(ts);
  return minutes;
}

/** A raised cosine: 1 at 0, falling smoothly to 0 at ±1 and beyond. */
function swell(x: number): number {
  return Math.abs(x) >= 1 ? 0 : 0.5 * (1 + Math.cos(Math.PI * x));
}

const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;
const clamp = (v: number, min: number, max: number) => Math.min(max, Math.max(min, v));

export interface HistorySeries {
  /** The profile's metrics, in its order. */
  metrics: readonly string[];
  /** Epoch ms of each sample: whole minutes, ascending, none in the gap. */
  times: number[];
  /** `values[m][i]`: metric `metrics[m]` at `times[i]`. */
  values: number[][];
}

/**
 * The readings of the plan: the environment profile (seeded with DEMO_PROFILE_SEED) sampled at
 * each minute, with each breach's extra heat added to the temperature and, as the profile ties
 * humidity to temperature, taken off the humidity.
 */
export function historySeries(plan: HistoryPlan, seed = DEMO_PROFILE_SEED): HistorySeries {
  const profile = createProfile("environment", { seed });
  // How much a breach adds at its peak, so that the temperature there is its `peak`.
  const lifts = plan.breaches.map((b) => ({
    ...b,
    lift: b.peak - (profile.sample(b.peakAt).values.temperature ?? b.peak),
  }));
  const times = readingMinutes(plan);
  const values = profile.metrics.map(() => new Array<number>(times.length));
  times.forEach((ts, i) => {
    const sample = { ...profile.sample(ts).values };
    const extra = lifts.reduce((sum, b) => sum + b.lift * swell((ts - b.peakAt) / BREACH_HALF_MS), 0);
    if (extra !== 0) {
      sample.temperature = round(clamp((sample.temperature ?? 0) + extra, -40, 85), 2);
      sample.humidity = round(clamp((sample.humidity ?? 0) - 1.5 * extra, 0, 100), 1);
    }
    profile.metrics.forEach((metric, m) => {
      (values[m] as number[])[i] = sample[metric] ?? 0;
    });
  });
  return { metrics: profile.metrics, times, values };
}

/** An alert the rule had: opened at `triggeredAt`, resolved at `resolvedAt` (null: still firing). */
export interface AlertEpisode {
  triggeredAt: number;
  /** The window's average that opened it, and the window: [triggeredAt - window, triggeredAt]. */
  value: number;
  windowStart: number;
  windowEnd: number;
  resolvedAt: number | null;
  resolvedValue: number | null;
}

/**
 * The alerts DEMO_RULE had over the series, as the alerter decides them when each minute's
 * reading arrives (from the rule's creation on): the window is [t - window, t], both ends
 * included; it opens when the average passes the threshold and resolves when the average is no
 * longer past the recovery threshold; an empty window (the gap) changes nothing.
 */
export function alertEpisodes(plan: HistoryPlan, series: HistorySeries): AlertEpisode[] {
  const m = series.metrics.indexOf(DEMO_RULE.metric);
  const temps = series.values[m];
  if (!temps) return [];
  const windowMs = DEMO_RULE.windowSeconds * 1000;
  const episodes: AlertEpisode[] = [];
  let firing: AlertEpisode | undefined;
  let from = 0; // the first sample inside the window
  series.times.forEach((t, i) => {
    while ((series.times[from] ?? t) < t - windowMs) from++;
    if (t < plan.ruleCreatedMs) return;
    let sum = 0;
    for (let j = from; j <= i; j++) sum += temps[j] ?? 0;
    const avg = sum / (i - from + 1);
    if (!firing && avg > DEMO_RULE.threshold) {
      firing = {
        triggeredAt: t,
        value: avg,
        windowStart: t - windowMs,
        windowEnd: t,
        resolvedAt: null,
        resolvedValue: null,
      };
      episodes.push(firing);
    } else if (firing && !(avg > DEMO_RULE.recoveryThreshold)) {
      firing.resolvedAt = t;
      firing.resolvedValue = avg;
      firing = undefined;
    }
  });
  return episodes;
}
