// Zod contracts of the fitness API (ARCHITECTURE.md).
import { z } from "zod";

export const createPlanBody = z.strictObject({
  name: z.string().trim().min(1, "name is required").max(100, "name is at most 100 characters"),
});

export const createExerciseBody = z.strictObject({
  name: z.string().trim().min(1, "name is required").max(100, "name is at most 100 characters"),
  muscleGroup: z.string().trim().min(1).max(50).optional(),
});

export const workoutSetInput = z.strictObject({
  exerciseId: z.uuid(),
  setNumber: z.number().int().min(1).max(100),
  reps: z.number().int().min(0).max(1000),
  weightKg: z.number().min(0).max(1000).optional(),
});

export const createWorkoutBody = z.strictObject({
  performedAt: z.iso.datetime({ offset: true }).transform((s) => new Date(s)),
  planId: z.uuid().optional(),
  deviceId: z.uuid().optional(),
  sets: z.array(workoutSetInput).min(1, "a workout has at least one set").max(500),
});

export type CreatePlanBody = z.infer<typeof createPlanBody>;
export type CreateExerciseBody = z.infer<typeof createExerciseBody>;
export type CreateWorkoutBody = z.infer<typeof createWorkoutBody>;
