// What a person sets for the whole app, under either identity provider (the `user` table is
// Better Auth's, generated; this one is ours). The time zone cuts days, weeks and months (the
// heat map, weekly volume, a month's workouts) and is the zone every date is shown in: detected
// by the browser on the first visit, changed in settings.

import { sql } from "drizzle-orm";
import { check, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { z } from "zod";
import { timeZoneName } from "../../time-zone";
import { user } from "./tables";

export const userSettings = pgTable(
  "user_settings",
  {
    userId: text("user_id")
      .primaryKey()
      .references(() => user.id, { onDelete: "cascade" }),
    timeZone: text("time_zone").notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).defaultNow().notNull(),
  },
  (t) => [check("user_settings_time_zone_length", sql`length(${t.timeZone}) between 1 and 64`)],
);

/** `PUT /api/settings` (docs/api.md). `detected`: only when none is stored yet (the first visit). */
export const userSettingsBody = z.strictObject({
  timeZone: timeZoneName,
  detected: z.boolean().optional(),
});

export type UserSettingsBody = z.infer<typeof userSettingsBody>;
