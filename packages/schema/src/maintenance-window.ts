// Maintenance windows: whether a device's alert notices are held at an instant, and until when. Pure,
// with Intl only (through zoned-time), so the alerter and the browser read a schedule the same way.
import { nextDay, offsetAt, toZonedInput } from "./zoned-time";

/** ISO weekdays: 1 = Monday … 7 = Sunday. */
export const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7] as const;

export type MaintenanceSchedule =
  /** One window; `endsAt` after `startsAt`. */
  | { kind: "once"; startsAt: Date; endsAt: Date }
  /**
   * A window repeated on wall-clock time in `timeZone`: it starts on each of `days` (ISO weekdays,
   * non-empty, unique) at `startTime` ("HH:MM") and ends at `endTime` the same day, or the next day
   * when `endTime` is at or before `startTime` (equal: the same time the next day).
   *
   * Bounds are wall-clock, so a window can be an hour shorter or longer over a clock change (22:00–06:00
   * lasts 7 h over a spring-forward night, 9 h over a fall-back one; 00:00–00:00 lasts 23 h or 25 h). A
   * time a spring-forward gap skips is read with the offset before the change, as `fromZonedInput`
   * documents (02:30 on Berlin's spring-forward day is 03:30 summer time); a time a fall-back repeats is
   * its first occurrence. So a window inside a skipped hour moves by the hour skipped, and one the
   * reading leaves ending before it starts (02:30–03:15 that day: 03:30 to 03:15) has no occurrence.
   */
  | { kind: "weekly"; days: number[]; startTime: string; endTime: string; timeZone: string };

/** One occurrence of a schedule: from `start` (inclusive) to `end` (exclusive). */
export interface Occurrence {
  start: Date;
  end: Date;
}

const MINUTE = 60_000;
const DAY = 86_400_000;

/**
 * How far past `at` maintenanceAt follows a chain of windows before it stops: weekly windows still
 * chained two weeks out cover the whole week and would never end. A hold reported as lasting at least
 * this long is one to show as "until further notice".
 */
export const MAINTENANCE_CHAIN_HORIZON_MS = 14 * DAY;

/** "HH:MM" (00:00–23:59, two digits each) → minutes after midnight; undefined for anything else. */
export function parseClockTime(value: string): number | undefined {
  if (typeof value !== "string") return undefined;
  const m = /^(\d{2}):(\d{2})$/.exec(value);
  if (!m) return undefined;
  const hours = Number(m[1]);
  const minutes = Number(m[2]);
  return hours <= 23 && minutes <= 59 ? hours * 60 + minutes : undefined;
}

/**
 * The occurrence of `schedule` that contains `at` (start inclusive, end exclusive), if any; of several
 * (they can only overlap around a clock change), the one ending last, so a hold lasts until the last
 * one ends. An invalid schedule (bad time, day or zone; a once-window not ending after it starts) has
 * no occurrences.
 */
export function activeOccurrence(schedule: MaintenanceSchedule, at: Date): Occurrence | undefined {
  const ms = at.getTime();
  if (Number.isNaN(ms)) return undefined;
  if (schedule.kind === "once") {
    const once = onceOccurrence(schedule);
    return once && once.start.getTime() <= ms && ms < once.end.getTime() ? once : undefined;
  }
  const rule = weeklyRule(schedule);
  if (!rule) return undefined;
  let found: Occurrence | undefined;
  // An occurrence lasts at most 24 h plus a clock change, so one containing `at` started on its local
  // day or the day before; a day more either side covers a start a clock change moves across midnight.
  const last = nextDay(localDay(ms, rule.timeZone));
  for (let day = localDay(ms - 2 * DAY, rule.timeZone); day <= last; day = nextDay(day)) {
    const occurrence = occurrenceOn(rule, day);
    if (!occurrence || occurrence.start.getTime() > ms || ms >= occurrence.end.getTime()) continue;
    if (!found || occurrence.end > found.end) found = occurrence;
  }
  return found;
}

/** The first occurrence of `schedule` starting strictly after `at`, if any (a past once-window: none). */
export function nextOccurrence(schedule: MaintenanceSchedule, at: Date): Occurrence | undefined {
  const ms = at.getTime();
  if (Number.isNaN(ms)) return undefined;
  if (schedule.kind === "once") {
    const once = onceOccurrence(schedule);
    return once && once.start.getTime() > ms ? once : undefined;
  }
  const rule = weeklyRule(schedule);
  if (!rule) return undefined;
  // Starts move forward day by day, so the first one after `at` is the answer. Two weeks and a bit:
  // a listed day's window can be empty one week (across a skipped hour) but not the next.
  let day = localDay(ms - DAY, rule.timeZone);
  for (let i = 0; i < 16; i++, day = nextDay(day)) {
    const occurrence = occurrenceOn(rule, day);
    if (occurrence && occurrence.start.getTime() > ms) return occurrence;
  }
  return undefined;
}

/**
 * Across several windows (a device's own and its tags'): the window whose occurrence contains `at`
 * (of several, the one whose occurrence ends last; on a tie the first listed), and when the hold ends,
 * following windows that overlap or touch it one after another: the end of that union. A chain is
 * followed up to MAINTENANCE_CHAIN_HORIZON_MS past `at`; a hold still going there reports where the
 * search stopped (at or after the horizon).
 */
export function maintenanceAt<W extends { schedule: MaintenanceSchedule }>(
  windows: W[],
  at: Date,
): { window: W; until: Date } | undefined {
  let held: { window: W; until: number } | undefined;
  for (const window of windows) {
    const occurrence = activeOccurrence(window.schedule, at);
    if (occurrence && (!held || occurrence.end.getTime() > held.until)) {
      held = { window, until: occurrence.end.getTime() };
    }
  }
  if (!held) return undefined;
  // An occurrence that touches or overlaps the hold's end contains that end (starts are inclusive),
  // so extending to the latest end of those found there, until none goes further, is the union.
  let until = held.until;
  while (until - at.getTime() < MAINTENANCE_CHAIN_HORIZON_MS) {
    let later = until;
    for (const window of windows) {
      const end = activeOccurrence(window.schedule, new Date(until))?.end.getTime();
      if (end !== undefined && end > later) later = end;
    }
    if (later === until) break;
    until = later;
  }
  return { window: held.window, until: new Date(until) };
}

interface WeeklyRule {
  days: ReadonlySet<number>;
  start: number;
  end: number;
  timeZone: string;
}

function onceOccurrence(schedule: { startsAt: Date; endsAt: Date }): Occurrence | undefined {
  const start = schedule.startsAt.getTime();
  const end = schedule.endsAt.getTime();
  // Fresh dates: a caller changing what it got back must not change the schedule.
  return end > start ? { start: new Date(start), end: new Date(end) } : undefined;
}

function weeklyRule(schedule: {
  days: number[];
  startTime: string;
  endTime: string;
  timeZone: string;
}): WeeklyRule | undefined {
  const start = parseClockTime(schedule.startTime);
  const end = parseClockTime(schedule.endTime);
  const days = schedule.days;
  if (start === undefined || end === undefined || !isKnownZone(schedule.timeZone)) return undefined;
  if (!Array.isArray(days) || days.length === 0) return undefined;
  if (!days.every((day) => (WEEKDAYS as readonly number[]).includes(day))) return undefined;
  return { days: new Set(days), start, end, timeZone: schedule.timeZone };
}

// Intl throws on a zone this runtime does not know; a schedule naming one has no occurrences rather
// than failing the alerter or a page.
function isKnownZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone });
    return true;
  } catch {
    return false;
  }
}

function occurrenceOn(rule: WeeklyRule, day: string): Occurrence | undefined {
  if (!rule.days.has(isoWeekday(day))) return undefined;
  const start = wallInstant(day, rule.start, rule.timeZone);
  const end = wallInstant(rule.end <= rule.start ? nextDay(day) : day, rule.end, rule.timeZone);
  // Only a start read past a skipped hour can land after the end (02:30–03:15): nothing that day.
  return end > start ? { start: new Date(start), end: new Date(end) } : undefined;
}

/** The local calendar day (`YYYY-MM-DD`) of instant `ms` in `timeZone`. */
function localDay(ms: number, timeZone: string): string {
  return toZonedInput(ms, timeZone).slice(0, 10);
}

function isoWeekday(day: string): number {
  return new Date(`${day}T00:00:00Z`).getUTCDay() || 7;
}

/**
 * The instant `minutes` after midnight on `day`'s wall clock in `timeZone`: of the offsets a day
 * before and a day after (which bracket any clock change near it), the earliest reading that shows
 * that wall time (the first of a repeated time); where none does (a skipped time), the offset before.
 * Not fromZonedInput: west of UTC it reads a skipped time with the offset after the change and a
 * repeated time as its first occurrence, east of UTC the other way round.
 */
function wallInstant(day: string, minutes: number, timeZone: string): number {
  const [y = 0, m = 1, d = 1] = day.split("-").map(Number);
  const wall = Date.UTC(y, m - 1, d) + minutes * MINUTE;
  const before = offsetAt(wall - DAY, timeZone);
  const after = offsetAt(wall + DAY, timeZone);
  if (before === after) return wall - before;
  const readings = [wall - before, wall - after].filter((at) => at + offsetAt(at, timeZone) === wall);
  return readings.length > 0 ? Math.min(...readings) : wall - before;
}
