// Zod contracts of the fitness API (docs/api.md).
import { z } from "zod";
import { pageParams } from "../../keyset";
import { metricName } from "../telemetry/validation";
import { E1RM_FORMULAS, WEIGHT_UNITS } from "./tables";

export const MUSCLE_GROUPS = [
  "back",
  "biceps",
  "calves",
  "cardio",
  "chest",
  "core",
  "full body",
  "glutes",
  "hamstrings",
  "legs",
  "shoulders",
  "traps",
  "triceps",
] as const;

const planName = z.string().trim().min(1, "name is required").max(100, "name is at most 100 characters");

export const planExerciseInput = z.strictObject({
  exerciseId: z.uuid({ error: "exerciseId must be an exercise id" }),
  targetSets: z.number().int().min(1).max(50).default(3),
  targetReps: z.number().int().min(1).max(1000).default(10),
});

/** A plan with its exercises in order. */
export const createPlanBody = z.strictObject({
  name: planName,
  exercises: z.array(planExerciseInput).max(50).default([]),
});

export const renamePlanBody = z.strictObject({ name: planName });

export const createExerciseBody = z.strictObject({
  // One space between words: the catalog's uniqueness ignores case and spacing.
  name: z
    .string()
    .trim()
    .min(1, "name is required")
    .max(100, "name is at most 100 characters")
    .transform((s) => s.replace(/\s+/g, " ")),
  muscleGroup: z
    .enum(MUSCLE_GROUPS, { error: `muscleGroup must be one of: ${MUSCLE_GROUPS.join(", ")}` })
    .optional(),
});

export const exercisesQuery = z.object({
  q: z.string().trim().max(100).optional(),
  muscleGroup: z.enum(MUSCLE_GROUPS).optional(),
});

export const workoutSetInput = z.strictObject({
  exerciseId: z.uuid({ error: "exerciseId must be an exercise id" }),
  setNumber: z.number().int().min(1).max(100),
  reps: z.number().int().min(0).max(1000),
  weightKg: z.number().min(0).max(1000).optional(),
});

const instant = z.iso.datetime({ offset: true }).transform((s) => new Date(s));

/** A whole session in one request: stored in one transaction, never edited afterwards. */
export const createWorkoutBody = z
  .strictObject({
    performedAt: instant,
    endedAt: instant.optional(),
    planId: z.uuid().optional(),
    deviceId: z.uuid().optional(),
    heartRateMetric: metricName.optional(),
    sets: z.array(workoutSetInput).min(1, "a workout has at least one set").max(500),
  })
  .refine((w) => !w.endedAt || w.endedAt >= w.performedAt, {
    message: "endedAt must not be before performedAt",
    path: ["endedAt"],
  })
  .refine((w) => !w.endedAt || w.endedAt.getTime() - w.performedAt.getTime() <= 24 * 3600_000, {
    message: "a workout lasts at most 24 hours",
    path: ["endedAt"],
  })
  .refine((w) => new Set(w.sets.map((s) => `${s.exerciseId}/${s.setNumber}`)).size === w.sets.length, {
    message: "each exercise's set numbers must be distinct",
    path: ["sets"],
  });

export const preferencesBody = z.strictObject({
  weightUnit: z.enum(WEIGHT_UNITS),
  e1rmFormula: z.enum(E1RM_FORMULAS),
  repCap: z.number().int().min(1).max(30),
  age: z.number().int().min(5).max(120).nullable(),
  maxHeartRate: z.number().int().min(100).max(250).nullable(),
});

export type CreatePlanBody = z.infer<typeof createPlanBody>;
export type CreateExerciseBody = z.infer<typeof createExerciseBody>;
export type CreateWorkoutBody = z.infer<typeof createWorkoutBody>;
export type PreferencesBody = z.infer<typeof preferencesBody>;

/** The workouts list: an optional month (`YYYY-MM`, in the user's time zone) and a page (keyset.ts). */
export const workoutsQuery = z.object({
  month: z
    .string()
    .regex(/^[1-9]\d{3}-(0[1-9]|1[0-2])$/, { error: "month must be a month such as 2026-12" })
    .optional(),
  ...pageParams,
});
