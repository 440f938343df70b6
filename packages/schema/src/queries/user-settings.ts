// A person's app-wide settings (schema/auth/user-settings.ts), scoped by user in the query.
import { eq, sql } from "drizzle-orm";
import type { Database } from "../client";
import { userSettings } from "../schema/auth";
import { DEFAULT_TIME_ZONE, timeZoneOr } from "../time-zone";

export interface UserSettings {
  timeZone: string;
  /** False until the browser or the person set a zone: the app then asks the browser once. */
  stored: boolean;
}

export async function getUserSettings(db: Database, userId: string): Promise<UserSettings> {
  const [row] = await db
    .select({ timeZone: userSettings.timeZone })
    .from(userSettings)
    .where(eq(userSettings.userId, userId));
  return row
    ? { timeZone: timeZoneOr(row.timeZone), stored: true }
    : { timeZone: DEFAULT_TIME_ZONE, stored: false };
}

/**
 * Stores the time zone. `onlyIfUnset`: the browser's detection, which never overrides a zone
 * already stored (the person's choice, or another tab's detection).
 */
export async function setTimeZone(
  db: Database,
  userId: string,
  timeZone: string,
  options: { onlyIfUnset?: boolean } = {},
): Promise<UserSettings> {
  const insert = db.insert(userSettings).values({ userId, timeZone });
  await (options.onlyIfUnset
    ? insert.onConflictDoNothing()
    : insert.onConflictDoUpdate({
        target: userSettings.userId,
        set: { timeZone, updatedAt: sql`now()` },
      }));
  return getUserSettings(db, userId);
}
