import { relations } from "drizzle-orm";
import { user } from "../auth/tables";
import { devices } from "../telemetry/tables";
import { exercises, fitnessPreferences, logSets, planExercises, workoutLogs, workoutPlans } from "./tables";

export const workoutPlansRelations = relations(workoutPlans, ({ one, many }) => ({
  owner: one(user, { fields: [workoutPlans.ownerId], references: [user.id] }),
  logs: many(workoutLogs),
  exercises: many(planExercises),
}));

export const planExercisesRelations = relations(planExercises, ({ one }) => ({
  plan: one(workoutPlans, { fields: [planExercises.planId], references: [workoutPlans.id] }),
  exercise: one(exercises, { fields: [planExercises.exerciseId], references: [exercises.id] }),
}));

export const fitnessPreferencesRelations = relations(fitnessPreferences, ({ one }) => ({
  user: one(user, { fields: [fitnessPreferences.userId], references: [user.id] }),
}));

export const exercisesRelations = relations(exercises, ({ many }) => ({
  sets: many(logSets),
}));

export const workoutLogsRelations = relations(workoutLogs, ({ one, many }) => ({
  user: one(user, { fields: [workoutLogs.userId], references: [user.id] }),
  plan: one(workoutPlans, { fields: [workoutLogs.planId], references: [workoutPlans.id] }),
  device: one(devices, { fields: [workoutLogs.deviceId], references: [devices.id] }),
  sets: many(logSets),
}));

export const logSetsRelations = relations(logSets, ({ one }) => ({
  log: one(workoutLogs, { fields: [logSets.logId], references: [workoutLogs.id] }),
  exercise: one(exercises, { fields: [logSets.exerciseId], references: [exercises.id] }),
}));
