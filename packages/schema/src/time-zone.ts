// A user's time zone: an IANA name the runtime knows (Intl), so days, weeks and months can be
// cut at the user's midnights, in JavaScript and in SQL (`at time zone`) alike.
import { z } from "zod";

export const DEFAULT_TIME_ZONE = "UTC";

/** The canonical IANA name of a zone this runtime knows ("europe/paris" → "Europe/Paris"), or undefined. */
export function canonicalTimeZone(value: string): string | undefined {
  if (value.length === 0 || value.length > 64 || !/^[A-Za-z0-9_+\-/]+$/.test(value)) return undefined;
  try {
    return new Intl.DateTimeFormat("en-US", { timeZone: value }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

/** True for an IANA zone name this runtime knows. */
export function isTimeZone(value: string): boolean {
  return canonicalTimeZone(value) !== undefined;
}

/** The zone a stored or sent value names, or UTC when it names none this runtime knows. */
export function timeZoneOr(value: string | null | undefined, fallback = DEFAULT_TIME_ZONE): string {
  return value && isTimeZone(value) ? value : fallback;
}

/** A zone as sent; stored by its canonical name (the spelling PostgreSQL's `at time zone` knows). */
export const timeZoneName = z
  .string({ error: "choose a time zone" })
  .refine(isTimeZone, { error: "choose a time zone from the list (such as Europe/Paris)" })
  .transform((value) => canonicalTimeZone(value) ?? value);

export { nextDay, startOfLocalDay } from "./zoned-time";
