import "server-only";
import { getUserSettings } from "@pulseboard/schema/queries/user-settings";
import { DEFAULT_TIME_ZONE } from "@pulseboard/schema/time-zone";
import { headers } from "next/headers";
import { cache } from "react";
import { db } from "./db";
import { pickLocale } from "./locale";

/** How this request's pages write dates and numbers (components/prefs.tsx hands it to the browser). */
export interface Prefs {
  /** The user's IANA time zone (settings), UTC for a reader who is not signed in. */
  timeZone: string;
  /** False until a zone is stored: the browser then sends its own once. */
  timeZoneStored: boolean;
  /** From the browser's Accept-Language (lib/locale.ts). */
  locale: string;
  /** A reader who is not signed in: times are UTC, and say so. */
  reader: boolean;
}

export const requestPrefs = cache(async (userId: string | null): Promise<Prefs> => {
  const locale = pickLocale((await headers()).get("accept-language"));
  if (userId === null) return { timeZone: DEFAULT_TIME_ZONE, timeZoneStored: true, locale, reader: true };
  const settings = await getUserSettings(db, userId);
  return { timeZone: settings.timeZone, timeZoneStored: settings.stored, locale, reader: false };
});
