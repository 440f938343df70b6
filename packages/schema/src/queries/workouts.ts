// Workout queries, scoped by owner (workout_logs.user_id) in the query itself.
import { count, desc, eq } from "drizzle-orm";
import type { Database } from "../client";
import { logSets, workoutLogs, workoutPlans } from "../schema/fitness";

export interface WorkoutSummary {
  id: string;
  performedAt: Date;
  planName: string | null;
  sets: number;
}

/** The owner's latest workouts, newest first. */
export function recentWorkouts(db: Database, ownerId: string, limit = 5): Promise<WorkoutSummary[]> {
  return db
    .select({
      id: workoutLogs.id,
      performedAt: workoutLogs.performedAt,
      planName: workoutPlans.name,
      sets: count(logSets.id),
    })
    .from(workoutLogs)
    .leftJoin(workoutPlans, eq(workoutPlans.id, workoutLogs.planId))
    .leftJoin(logSets, eq(logSets.logId, workoutLogs.id))
    .where(eq(workoutLogs.userId, ownerId))
    .groupBy(workoutLogs.id, workoutPlans.name)
    .orderBy(desc(workoutLogs.performedAt))
    .limit(limit);
}
