// What an owner shares into a thread: a frozen copy of a chart's points or of a workout, stored
// on the reply (thread_replies.snapshot). Readers see it with no access to the device or the log,
// and nothing that later happens to them changes it.
import { z } from "zod";

/** A shared chart carries at most this many buckets (re-bucketed to fit). */
export const SNAPSHOT_MAX_POINTS = 300;

const point = z.strictObject({
  t: z.string(),
  min: z.number(),
  avg: z.number(),
  max: z.number(),
  count: z.number().int(),
});

export const chartSnapshot = z.strictObject({
  kind: z.literal("chart"),
  deviceName: z.string().max(100),
  metric: z.string().max(64),
  label: z.string().max(64),
  unit: z.string().max(16),
  from: z.string(),
  to: z.string(),
  bucketSeconds: z.number().int().positive(),
  points: z.array(point).max(SNAPSHOT_MAX_POINTS),
});

export const workoutSnapshot = z.strictObject({
  kind: z.literal("workout"),
  title: z.string().max(200),
  performedAt: z.string(),
  durationSeconds: z.number().nullable(),
  weightUnit: z.enum(["kg", "lb"]),
  volume: z.number().nullable(),
  sets: z
    .array(
      z.strictObject({
        exercise: z.string().max(200),
        setNumber: z.number().int(),
        reps: z.number().int(),
        weight: z.number().nullable(),
      }),
    )
    .max(300),
  records: z.array(z.strictObject({ exercise: z.string().max(200), what: z.string().max(100) })).max(100),
  heartRate: z
    .strictObject({
      readings: z.number().int(),
      avg: z.number().nullable(),
      max: z.number().nullable(),
      zones: z.array(z.strictObject({ zone: z.number().int(), name: z.string(), seconds: z.number() })),
    })
    .nullable(),
});

export const snapshot = z.discriminatedUnion("kind", [chartSnapshot, workoutSnapshot]);
export type Snapshot = z.infer<typeof snapshot>;
export type ChartSnapshot = z.infer<typeof chartSnapshot>;
export type WorkoutSnapshot = z.infer<typeof workoutSnapshot>;

const instant = z.iso.datetime({ offset: true });

/** Sharing into the community: what (a chart's range, a workout), where (a thread, or a new one), a note. */
export const shareBody = z.strictObject({
  source: z.discriminatedUnion("kind", [
    z.strictObject({
      kind: z.literal("chart"),
      deviceId: z.uuid({ error: "deviceId must be a device id" }),
      metric: z
        .string()
        .regex(/^[A-Za-z0-9_.-]{1,64}$/, "metric name must be 1-64 characters of A-Z a-z 0-9 _ . -"),
      from: instant,
      to: instant,
    }),
    z.strictObject({
      kind: z.literal("workout"),
      workoutId: z.uuid({ error: "workoutId must be a workout id" }),
    }),
  ]),
  thread: z.union([
    z.strictObject({ threadId: z.uuid({ error: "threadId must be a thread id" }) }),
    z.strictObject({
      categorySlug: z.string().max(48),
      title: z.string().trim().min(1, "title is required").max(200, "title is at most 200 characters"),
    }),
  ]),
  body: z.string().trim().min(1, "say something about it").max(20_000, "body is at most 20000 characters"),
});
export type ShareBody = z.infer<typeof shareBody>;
