// The body of POST /api/maintenance-windows: a one-off window (start and end) or a weekly one
// (ISO weekdays, wall-clock times in a time zone), for a device or a tag.
import { parseClockTime, WEEKDAYS } from "@pulseboard/schema/maintenance-window";
import { TAG_PATTERN } from "@pulseboard/schema/telemetry";
import { timeZoneName } from "@pulseboard/schema/time-zone";
import { z } from "zod";

const clock = z.string().refine((v) => parseClockTime(v) !== undefined, "Use a time as HH:MM (00:00–23:59).");
const instant = z.iso.datetime({ offset: true }).transform((s) => new Date(s));
const target = {
  name: z.string().trim().min(1, "Name it.").max(100, "The name is at most 100 characters."),
  deviceId: z.uuid("deviceId must be a device id").optional(),
  tag: z.string().trim().regex(TAG_PATTERN, "That is not a tag a device can have.").optional(),
};

export const maintenanceWindowBody = z
  .discriminatedUnion("kind", [
    z.strictObject({ ...target, kind: z.literal("once"), startsAt: instant, endsAt: instant }),
    z.strictObject({
      ...target,
      kind: z.literal("weekly"),
      days: z
        .array(
          z
            .number()
            .int()
            .refine((d) => (WEEKDAYS as readonly number[]).includes(d), "Days are 1 (Monday) to 7."),
        )
        .min(1, "Pick at least one day.")
        .max(7),
      startTime: clock,
      endTime: clock,
      timeZone: timeZoneName,
    }),
  ])
  .refine((w) => (w.deviceId === undefined) !== (w.tag === undefined), {
    message: "Give a deviceId or a tag (one of them).",
    path: ["deviceId"],
  })
  .refine((w) => w.kind !== "once" || w.endsAt > w.startsAt, {
    message: "It must end after it starts.",
    path: ["endsAt"],
  })
  .transform((w) => ({ ...w, ...(w.kind === "weekly" ? { days: [...new Set(w.days)].sort() } : {}) }));

export const maintenanceListQuery = z.object({ deviceId: z.uuid("deviceId must be a device id").optional() });
