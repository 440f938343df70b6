// Wall-clock time in a named time zone, with Intl only (no dependency, so the browser can use it
// too): where a zone's day starts, and a `datetime-local` input's value in the user's zone (not
// the browser's) both ways.

/** How far `timeZone`'s wall clock is ahead of UTC at instant `ms`, in milliseconds. */
export function offsetAt(ms: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
    second: "numeric",
  }).formatToParts(new Date(ms));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
  return wall - Math.floor(ms / 1000) * 1000;
}

function wallDay(ms: number, timeZone: string): string {
  const wall = ms + offsetAt(ms, timeZone);
  return new Date(wall).toISOString().slice(0, 10);
}

/**
 * The instant a calendar day (`YYYY-MM-DD`) starts in `timeZone`: its local midnight (or, where a
 * clock change skips midnight, the first moment the day has).
 */
export function startOfLocalDay(day: string, timeZone: string): Date {
  const [y = 0, m = 1, d = 1] = day.split("-").map(Number);
  const wall = Date.UTC(y, m - 1, d);
  const guess = wall - offsetAt(wall, timeZone);
  // The offset at the guess may differ from the offset at the answer (a clock change between):
  // of the two candidates, the earliest that falls on the day itself.
  const corrected = wall - offsetAt(guess, timeZone);
  const onDay = [guess, corrected].filter((at) => wallDay(at, timeZone) === day);
  return new Date(onDay.length > 0 ? Math.min(...onDay) : guess);
}

/** The calendar day after `day` (`YYYY-MM-DD`). */
export function nextDay(day: string): string {
  const [y = 0, m = 1, d = 1] = day.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}

/** A `datetime-local` input's value (`YYYY-MM-DDTHH:MM`) for an instant, on `timeZone`'s wall clock. */
export function toZonedInput(ms: number, timeZone: string): string {
  return new Date(ms + offsetAt(ms, timeZone)).toISOString().slice(0, 16);
}

/**
 * The instant a `datetime-local` value means on `timeZone`'s wall clock (NaN when it is not one);
 * a time a clock change skips is read with the offset before the change.
 */
export function fromZonedInput(value: string, timeZone: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value);
  if (!m) return Number.NaN;
  const [, y, mo, d, h, mi, sec] = m.map(Number) as number[];
  const wall = Date.UTC(y ?? 0, (mo ?? 1) - 1, d ?? 1, h ?? 0, mi ?? 0, Number.isNaN(sec) ? 0 : (sec ?? 0));
  const guess = wall - offsetAt(wall, timeZone);
  return wall - offsetAt(guess, timeZone);
}
