export * from "./catalog";
export * from "./relations";
export * from "./tables";
export * from "./validation";

import type {
  exercises,
  fitnessPreferences,
  logSets,
  planExercises,
  workoutLogs,
  workoutPlans,
} from "./tables";

export type WorkoutPlan = typeof workoutPlans.$inferSelect;
export type Exercise = typeof exercises.$inferSelect;
export type WorkoutLog = typeof workoutLogs.$inferSelect;
export type LogSet = typeof logSets.$inferSelect;
export type PlanExercise = typeof planExercises.$inferSelect;
export type FitnessPreferences = typeof fitnessPreferences.$inferSelect;
