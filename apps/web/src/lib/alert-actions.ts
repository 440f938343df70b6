// The bodies of what an owner does about an alert (POST /api/alerts/:id/acknowledge, /snooze).
import { z } from "zod";

const note = z
  .string()
  .trim()
  .max(500, "The note is at most 500 characters.")
  .nullish()
  .transform((v) => v || null);

export const acknowledgeBody = z.strictObject({ note });

/** `until`: an ISO time in the future; or `untilResolved: true`. */
export const snoozeBody = z.union(
  [
    z.strictObject({ until: z.iso.datetime({ offset: true }).transform((s) => new Date(s)), note }),
    z.strictObject({ untilResolved: z.literal(true), note }),
  ],
  { error: "give until (an ISO time) or untilResolved: true" },
);
