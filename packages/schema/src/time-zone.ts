// A user's time zone: an IANA name the runtime knows (Intl), so days, weeks and months can be
// cut at the user's midnights, in JavaScript and in SQL (`at time zone`) alike.
import { z } from "zod";

export const DEFAULT_TIME_ZONE = "UTC";

/** True for an IANA zone name this runtime (and so PostgreSQL's tz database) knows. */
export function isTimeZone(value: string): boolean {
  if (value.length === 0 || value.length > 64 || !/^[A-Za-z0-9_+\-/]+$/.test(value)) return false;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

/** The zone a stored or sent value names, or UTC when it names none this runtime knows. */
export function timeZoneOr(value: string | null | undefined, fallback = DEFAULT_TIME_ZONE): string {
  return value && isTimeZone(value) ? value : fallback;
}

export const timeZoneName = z
  .string({ error: "choose a time zone" })
  .refine(isTimeZone, { error: "choose a time zone from the list (such as Europe/Paris)" });

/** How far `timeZone`'s wall clock is ahead of UTC at instant `ms`, in milliseconds. */
function offsetAt(ms: number, timeZone: string): number {
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
