// Pure training arithmetic shared by the web app and its tests: one-rep-max estimates, kg/lb
// conversion, volume, personal records, heart-rate zones and calendar bucketing. No I/O and no
// imports, so every rule here can be tested exhaustively without a database.

// ---------------------------------------------------------------------------------------------
// Estimated one-rep max
// ---------------------------------------------------------------------------------------------

export type E1rmFormula = "epley" | "brzycki";

/** Rep-based estimates drift badly past ~10 reps, so by default higher-rep sets get no estimate. */
export const DEFAULT_REP_CAP = 10;

/** Brzycki divides by (37 − reps), so a cap above 36 would let it reach an undefined estimate. */
const MAX_REP_CAP = 36;

/** A mis-configured cap is a programming error, not a set without an estimate: fail loudly. */
function assertRepCap(repCap: number): void {
  if (!Number.isInteger(repCap) || repCap < 1 || repCap > MAX_REP_CAP) {
    throw new RangeError(`repCap must be an integer from 1 to ${MAX_REP_CAP}, got ${repCap}`);
  }
}

/** Unreachable for typed callers, but a formula read from elsewhere must not silently pick one. */
function assertFormula(formula: string): asserts formula is E1rmFormula {
  if (formula !== "epley" && formula !== "brzycki") {
    throw new RangeError(`unknown e1RM formula ${JSON.stringify(formula)}`);
  }
}

/**
 * Null rather than a number whenever the estimate would be meaningless (no load, no complete rep,
 * a fractional rep count, too many reps to trust), so callers cannot chart or compare garbage.
 * A single rep is the lift itself, whatever the formula. The weight is multiplied before dividing
 * so that equal estimates from different sets (90 × 10 and 100 × 6 are both 120 by Epley) come out
 * bit-identical and never look like a record over each other.
 */
export function estimateOneRepMax(
  weightKg: number | null | undefined,
  reps: number,
  formula: E1rmFormula = "epley",
  repCap = DEFAULT_REP_CAP,
): number | null {
  assertRepCap(repCap);
  assertFormula(formula);
  if (weightKg == null || !Number.isFinite(weightKg) || weightKg <= 0) return null;
  if (!Number.isInteger(reps) || reps < 1 || reps > repCap) return null;
  if (reps === 1) return weightKg;
  if (formula === "epley") return (weightKg * (30 + reps)) / 30;
  return reps >= 37 ? null : (weightKg * 36) / (37 - reps);
}

// ---------------------------------------------------------------------------------------------
// Units
// ---------------------------------------------------------------------------------------------

export type WeightUnit = "kg" | "lb";

/** The international avoirdupois pound, exact by definition. */
export const KG_PER_LB = 0.45359237;

/** Decimals shown to the user: plates go down to 0.25 kg, while lb plates and logs use tenths. */
const DISPLAY_DECIMALS: Record<WeightUnit, number> = { kg: 2, lb: 1 };

/**
 * Four decimals of a kg (0.0001 kg ≈ 0.0002 lb) is far finer than half a displayed tenth of a
 * pound, so any one-decimal lb entry survives storage and comes back unchanged.
 */
const STORED_KG_DECIMALS = 4;

/**
 * Half-up rounding on the decimal digits the user sees: shifting via the exponent avoids the binary
 * error of `x * 100` (1.005 kg must show as 1.01, not 1.00). Never returns -0.
 */
function roundTo(value: number, decimals: number): number {
  if (!Number.isFinite(value)) return value;
  const magnitude = Math.abs(value);
  const text = String(magnitude);
  const rounded = text.includes("e")
    ? Math.round(magnitude * 10 ** decimals) / 10 ** decimals
    : Number(`${Math.round(Number(`${text}e${decimals}`))}e-${decimals}`);
  return (value < 0 ? -rounded : rounded) + 0;
}

/** Unrounded, for arithmetic; round only at the display edge. */
export function kgToLb(kg: number): number {
  return kg / KG_PER_LB;
}

/** Unrounded, for arithmetic; round only at the storage edge (fromDisplayWeight). */
export function lbToKg(lb: number): number {
  return lb * KG_PER_LB;
}

/** Weights are stored in kg; this is the one place that decides how they are shown. */
export function toDisplayWeight(kg: number, unit: WeightUnit): number {
  return roundTo(unit === "lb" ? kgToLb(kg) : kg, DISPLAY_DECIMALS[unit]);
}

/** What to store for a value the user typed, chosen so that it displays back exactly as typed. */
export function fromDisplayWeight(value: number, unit: WeightUnit): number {
  return roundTo(unit === "lb" ? lbToKg(value) : value, STORED_KG_DECIMALS);
}

// ---------------------------------------------------------------------------------------------
// Volume
// ---------------------------------------------------------------------------------------------

export interface VolumeSet {
  reps: number;
  weightKg: number | null;
}

/** Bodyweight sets (no load logged) still count as sets but add no tonnage. */
export function setVolumeKg(set: VolumeSet): number {
  return set.reps * (set.weightKg ?? 0);
}

export function sessionVolumeKg(sets: readonly VolumeSet[]): number {
  let total = 0;
  for (const set of sets) total += setVolumeKg(set);
  return total;
}

// ---------------------------------------------------------------------------------------------
// Personal records
// ---------------------------------------------------------------------------------------------

/** Rep maxes are tracked for 1..10 reps: beyond that a "record" is mostly endurance noise. */
export const MAX_RECORD_REPS = 10;

export interface SessionForRecords {
  id: string;
  performedAt: Date;
  sets: { exerciseId: string; reps: number; weightKg: number | null }[];
}

export type PersonalRecordKind = "rep-max" | "e1rm";

export interface PersonalRecord {
  sessionId: string;
  exerciseId: string;
  kind: PersonalRecordKind;
  /** 1..10 for a rep-max, null for an e1RM record. */
  reps: number | null;
  valueKg: number;
  /** The best before this session; null when this is the first ever. */
  previousKg: number | null;
}

/** Estimates are fractions; differences below this are float noise, not a new record. */
const RECORD_EPSILON_KG = 1e-9;

function beats(value: number, previous: number | undefined): boolean {
  return previous === undefined || value > previous + RECORD_EPSILON_KG;
}

/** Chronological, with the id as a stable tie-break so the same history always gives the same PRs. */
function compareSessions(a: SessionForRecords, b: SessionForRecords): number {
  const byTime = a.performedAt.getTime() - b.performedAt.getTime();
  if (byTime !== 0) return byTime;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * Records are judged against earlier sessions only, and a session reports at most its best set per
 * (exercise, kind, reps), so warm-up-to-top-set progressions do not flood the feed. Output follows
 * session order, then the order exercises first appear in the session, rep-maxes (by reps) before
 * the e1RM record.
 */
export function detectPersonalRecords(
  sessions: readonly SessionForRecords[],
  options: { formula?: E1rmFormula; repCap?: number } = {},
): PersonalRecord[] {
  const formula = options.formula ?? "epley";
  const repCap = options.repCap ?? DEFAULT_REP_CAP;
  assertRepCap(repCap);
  assertFormula(formula);

  const bestByReps = new Map<string, Map<number, number>>();
  const bestE1rm = new Map<string, number>();
  const records: PersonalRecord[] = [];

  for (const session of [...sessions].sort(compareSessions)) {
    // This session's top weight per rep count and top estimate, per exercise in appearance order.
    const sessionTops = new Map<string, { byReps: Map<number, number>; e1rm: number | null }>();
    for (const set of session.sets) {
      if (set.weightKg == null || !Number.isFinite(set.weightKg) || set.weightKg <= 0) continue;
      let tops = sessionTops.get(set.exerciseId);
      if (!tops) {
        tops = { byReps: new Map(), e1rm: null };
        sessionTops.set(set.exerciseId, tops);
      }
      if (Number.isInteger(set.reps) && set.reps >= 1 && set.reps <= MAX_RECORD_REPS) {
        const top = tops.byReps.get(set.reps);
        if (top === undefined || set.weightKg > top) tops.byReps.set(set.reps, set.weightKg);
      }
      const estimate = estimateOneRepMax(set.weightKg, set.reps, formula, repCap);
      if (estimate !== null && (tops.e1rm === null || estimate > tops.e1rm)) tops.e1rm = estimate;
    }

    for (const [exerciseId, tops] of sessionTops) {
      let bests = bestByReps.get(exerciseId);
      if (!bests) {
        bests = new Map();
        bestByReps.set(exerciseId, bests);
      }
      for (const [reps, weightKg] of [...tops.byReps].sort(([a], [b]) => a - b)) {
        const previous = bests.get(reps);
        if (!beats(weightKg, previous)) continue;
        records.push({
          sessionId: session.id,
          exerciseId,
          kind: "rep-max",
          reps,
          valueKg: weightKg,
          previousKg: previous ?? null,
        });
        bests.set(reps, weightKg);
      }
      if (tops.e1rm !== null) {
        const previous = bestE1rm.get(exerciseId);
        if (beats(tops.e1rm, previous)) {
          records.push({
            sessionId: session.id,
            exerciseId,
            kind: "e1rm",
            reps: null,
            valueKg: tops.e1rm,
            previousKg: previous ?? null,
          });
          bestE1rm.set(exerciseId, tops.e1rm);
        }
      }
    }
  }
  return records;
}

// ---------------------------------------------------------------------------------------------
// Calendar bucketing
// ---------------------------------------------------------------------------------------------

/** Building a DateTimeFormat is costly and the same few zones are asked for repeatedly. */
const dayFormatters = new Map<string, Intl.DateTimeFormat>();

/**
 * The user's wall-calendar date, not the UTC one: a Sunday-night session in Berlin is a Monday in
 * UTC terms. Intl applies the zone's offset for that instant, so DST needs no special casing.
 * An unknown time zone throws a RangeError.
 */
function localDate(date: Date, timeZone: string): { year: number; month: number; day: number } {
  let formatter = dayFormatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      calendar: "gregory",
      numberingSystem: "latn",
      year: "numeric",
      month: "numeric",
      day: "numeric",
    });
    dayFormatters.set(timeZone, formatter);
  }
  let year = Number.NaN;
  let month = Number.NaN;
  let day = Number.NaN;
  for (const part of formatter.formatToParts(date)) {
    if (part.type === "year") year = Number(part.value);
    else if (part.type === "month") month = Number(part.value);
    else if (part.type === "day") day = Number(part.value);
  }
  return { year, month, day };
}

/** Calendar arithmetic on a UTC midnight, where every day is 24 h long. */
function utcMidnight(year: number, month: number, day: number): Date {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return date;
}

function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** The calendar day (`YYYY-MM-DD`) an instant falls on in `timeZone`. */
export function localIsoDay(date: Date, timeZone: string): string {
  const { year, month, day } = localDate(date, timeZone);
  return isoDay(utcMidnight(year, month, day));
}

/** ISO weeks start on Monday, which is how most training programmes are laid out. */
function localWeekStart(date: Date, timeZone: string): string {
  const { year, month, day } = localDate(date, timeZone);
  const midnight = utcMidnight(year, month, day);
  const daysSinceMonday = (midnight.getUTCDay() + 6) % 7;
  midnight.setUTCDate(midnight.getUTCDate() - daysSinceMonday);
  return isoDay(midnight);
}

export interface WeeklyVolumeSet {
  performedAt: Date;
  muscleGroup: string | null;
  reps: number;
  weightKg: number | null;
}

export interface WeeklyMuscleGroupVolume {
  /** YYYY-MM-DD of the Monday starting the week, in the requested time zone. */
  weekStart: string;
  /** Exercises without a muscle group are pooled as "other" rather than dropped. */
  muscleGroup: string;
  volumeKg: number;
  sets: number;
}

/** Sorted by week then muscle group (code-point order) so charts and tests get a stable series. */
export function weeklyVolumeByMuscleGroup(
  sets: readonly WeeklyVolumeSet[],
  timeZone = "UTC",
): WeeklyMuscleGroupVolume[] {
  const buckets = new Map<string, WeeklyMuscleGroupVolume>();
  for (const set of sets) {
    const weekStart = localWeekStart(set.performedAt, timeZone);
    const muscleGroup = set.muscleGroup ?? "other";
    const key = `${weekStart}\u0000${muscleGroup}`;
    let bucket = buckets.get(key);
    if (!bucket) {
      bucket = { weekStart, muscleGroup, volumeKg: 0, sets: 0 };
      buckets.set(key, bucket);
    }
    bucket.volumeKg += setVolumeKg(set);
    bucket.sets += 1;
  }
  return [...buckets.values()].sort((a, b) =>
    a.weekStart !== b.weekStart
      ? a.weekStart < b.weekStart
        ? -1
        : 1
      : a.muscleGroup < b.muscleGroup
        ? -1
        : a.muscleGroup > b.muscleGroup
          ? 1
          : 0,
  );
}

/** Sessions per local day for a heat map; keys come out in ascending date order. */
export function calendarDays(dates: readonly Date[], timeZone = "UTC"): Map<string, number> {
  const counts = new Map<string, number>();
  for (const date of dates) {
    const day = localIsoDay(date, timeZone);
    counts.set(day, (counts.get(day) ?? 0) + 1);
  }
  return new Map([...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * The training-day heat map's days: `weeks` columns of seven `YYYY-MM-DD` days, Monday first, the
 * last column the week of `now`, all in `timeZone` (so a Tokyo morning is the Tokyo day).
 */
export function heatMapWeeks(now: Date, timeZone: string, weeks: number): string[][] {
  const { year, month, day } = localDate(now, timeZone);
  const today = utcMidnight(year, month, day);
  const monday = today.getTime() - ((today.getUTCDay() + 6) % 7) * 86_400_000;
  const start = monday - (weeks - 1) * 7 * 86_400_000;
  return Array.from({ length: weeks }, (_, w) =>
    Array.from({ length: 7 }, (_, d) => isoDay(new Date(start + (w * 7 + d) * 86_400_000))),
  );
}

// ---------------------------------------------------------------------------------------------
// Heart rate
// ---------------------------------------------------------------------------------------------

/** 220 − age for a 30-year-old: a middle-of-the-road guess when nothing is known. */
export const DEFAULT_MAX_HEART_RATE = 190;

/** The wearable metric charted beside a workout unless the owner picks another. */
export const DEFAULT_HEART_RATE_METRIC = "heart_rate";

/**
 * A measured maximum beats any formula, and the age formula beats a blanket default. Values that
 * cannot be right (non-positive, or an age that leaves no heart rate) count as not set.
 */
export function maxHeartRate(settings: { age?: number | null; maxHeartRate?: number | null }): number {
  const explicit = settings.maxHeartRate;
  if (explicit != null && Number.isFinite(explicit) && explicit > 0) return explicit;
  const age = settings.age;
  if (age != null && Number.isFinite(age) && age > 0 && age < 220) return 220 - age;
  return DEFAULT_MAX_HEART_RATE;
}

export type HeartRateZoneNumber = 1 | 2 | 3 | 4 | 5;

export interface HeartRateZone {
  zone: HeartRateZoneNumber;
  name: string;
  minBpm: number;
  /** Inclusive (the next zone's minimum − 1); null for the open-ended top zone. */
  maxBpm: number | null;
}

const ZONES: ReadonlyArray<{ zone: HeartRateZoneNumber; name: string; percent: number }> = [
  { zone: 1, name: "Very light", percent: 50 },
  { zone: 2, name: "Light", percent: 60 },
  { zone: 3, name: "Moderate", percent: 70 },
  { zone: 4, name: "Hard", percent: 80 },
  { zone: 5, name: "Maximum", percent: 90 },
];

/** Below this, 10 % of the maximum is under one bpm and a zone could be empty. */
const MIN_ZONE_MAX_HR = 10;

/**
 * The common five-zone model on % of maximum; below 50 % is recovery and gets no zone. Bounds are
 * whole bpm because that is what a monitor reports (computed as max × percent / 100 so 92.5 rounds
 * up instead of falling to a binary 92.4999…).
 */
export function heartRateZones(maxHr: number): HeartRateZone[] {
  if (!Number.isFinite(maxHr) || maxHr < MIN_ZONE_MAX_HR) {
    throw new RangeError(`maxHr must be a number of at least ${MIN_ZONE_MAX_HR}, got ${maxHr}`);
  }
  const mins = ZONES.map(({ percent }) => Math.round((maxHr * percent) / 100));
  return ZONES.map(({ zone, name }, i) => {
    const next = mins[i + 1];
    return { zone, name, minBpm: mins[i] ?? 0, maxBpm: next === undefined ? null : next - 1 };
  });
}

/**
 * Decided by lower bounds only, so a fractional reading (an average of 113.5 between zone 1's 113
 * and zone 2's 114) still lands in a zone instead of a gap.
 */
export function zoneOf(bpm: number, zones: readonly HeartRateZone[]): HeartRateZoneNumber | null {
  if (!Number.isFinite(bpm)) return null;
  let found: HeartRateZone | null = null;
  for (const zone of zones) {
    if (bpm >= zone.minBpm && (found === null || zone.minBpm > found.minBpm)) found = zone;
  }
  return found?.zone ?? null;
}
