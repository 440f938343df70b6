// The owner's logged sets across workouts: what progress, records, weekly volume and the CSV
// export are computed from. Owner-scoped in the query itself.
import { and, asc, eq, inArray, lte } from "drizzle-orm";
import type { Database } from "../client";
import { exercises, logSets, workoutLogs } from "../schema/fitness";

/** A logged set with its exercise, as every set listing selects it. */
export const SET_WITH_EXERCISE = {
  exerciseId: logSets.exerciseId,
  exerciseName: exercises.name,
  muscleGroup: exercises.muscleGroup,
  setNumber: logSets.setNumber,
  reps: logSets.reps,
  weightKg: logSets.weightKg,
};

/**
 * The owner's sets, oldest first: progress, records, weekly volume and the CSV export. Narrowed
 * to some exercises and to sessions up to an instant (records depend only on earlier sessions).
 */
export function allSets(
  db: Database,
  ownerId: string,
  filter: { exerciseIds?: string[]; until?: Date } = {},
) {
  return db
    .select({
      logId: workoutLogs.id,
      performedAt: workoutLogs.performedAt,
      ...SET_WITH_EXERCISE,
    })
    .from(logSets)
    .innerJoin(workoutLogs, eq(workoutLogs.id, logSets.logId))
    .innerJoin(exercises, eq(exercises.id, logSets.exerciseId))
    .where(
      and(
        eq(workoutLogs.userId, ownerId),
        filter.exerciseIds ? inArray(logSets.exerciseId, filter.exerciseIds) : undefined,
        filter.until ? lte(workoutLogs.performedAt, filter.until) : undefined,
      ),
    )
    .orderBy(asc(workoutLogs.performedAt), asc(workoutLogs.id), asc(exercises.name), asc(logSets.setNumber));
}
