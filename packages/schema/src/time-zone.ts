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
