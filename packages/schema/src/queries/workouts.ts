// Workout logs, scoped by owner in the query itself: another user's workout is not found. A log
// is stored whole (one transaction) and never edited; a wrong one is deleted.
import { and, asc, desc, sql as dsql, eq, gte } from "drizzle-orm";
import type { Database } from "../client";
import { NotFoundError } from "../errors";
import { DEFAULT_HEART_RATE_METRIC, sessionVolumeKg } from "../fitness-math";
import { afterCursor, keyAt, keysetPage, PAGE_DEFAULT_LIMIT } from "../keyset";
import { type CreateWorkoutBody, exercises, logSets, workoutLogs, workoutPlans } from "../schema/fitness";
import { devices } from "../schema/telemetry";
import { assertExercisesExist } from "./exercises";
import { SET_WITH_EXERCISE } from "./sets";

/** Stores a whole session in one transaction. A plan or device that is not the owner's
 * throws NotFoundError; an exercise not in the catalog, InvalidError. */
export async function createWorkout(db: Database, ownerId: string, body: CreateWorkoutBody): Promise<string> {
  return db.transaction(async (tx) => {
    if (body.planId) {
      const [plan] = await tx
        .select({ id: workoutPlans.id })
        .from(workoutPlans)
        .where(and(eq(workoutPlans.id, body.planId), eq(workoutPlans.ownerId, ownerId)));
      if (!plan) throw new NotFoundError("plan not found", { field: "planId" });
    }
    if (body.deviceId) {
      const [device] = await tx
        .select({ id: devices.id })
        .from(devices)
        .where(and(eq(devices.id, body.deviceId), eq(devices.ownerId, ownerId)));
      if (!device) throw new NotFoundError("device not found", { field: "deviceId" });
    }
    await assertExercisesExist(
      tx,
      body.sets.map((s) => s.exerciseId),
    );
    const [log] = await tx
      .insert(workoutLogs)
      .values({
        userId: ownerId,
        planId: body.planId ?? null,
        performedAt: body.performedAt,
        endedAt: body.endedAt ?? null,
        deviceId: body.deviceId ?? null,
        heartRateMetric: body.deviceId ? (body.heartRateMetric ?? DEFAULT_HEART_RATE_METRIC) : null,
      })
      .returning({ id: workoutLogs.id });
    if (!log) throw new Error("workout was not created");
    await tx.insert(logSets).values(
      body.sets.map((s) => ({
        logId: log.id,
        exerciseId: s.exerciseId,
        setNumber: s.setNumber,
        reps: s.reps,
        weightKg: s.weightKg ?? null,
      })),
    );
    return log.id;
  });
}

export interface WorkoutSummary {
  id: string;
  performedAt: Date;
  endedAt: Date | null;
  planId: string | null;
  planName: string | null;
  deviceId: string | null;
  sets: number;
  volumeKg: number;
}

const summaryColumns = {
  id: workoutLogs.id,
  performedAt: workoutLogs.performedAt,
  endedAt: workoutLogs.endedAt,
  planId: workoutLogs.planId,
  planName: workoutPlans.name,
  deviceId: workoutLogs.deviceId,
  sets: dsql<number>`count(${logSets.id})::int`,
  volumeKg: dsql<number>`coalesce(sum(${logSets.reps} * ${logSets.weightKg}), 0)::float8`,
};

/** When the owner's workouts since `since` started (the training-day heat map). */
export async function workoutTimesSince(db: Database, ownerId: string, since: Date): Promise<Date[]> {
  const rows = await db
    .select({ at: workoutLogs.performedAt })
    .from(workoutLogs)
    .where(and(eq(workoutLogs.userId, ownerId), gte(workoutLogs.performedAt, since)));
  return rows.map((r) => r.at);
}

/** How many workouts the owner has logged. */
export async function countWorkouts(db: Database, ownerId: string): Promise<number> {
  const [row] = await db
    .select({ n: dsql<number>`count(*)::int` })
    .from(workoutLogs)
    .where(eq(workoutLogs.userId, ownerId));
  return row?.n ?? 0;
}

export interface WorkoutsPageOptions {
  /** `YYYY-MM`: only workouts started in that month of `timeZone`. */
  month?: string | undefined;
  /** An IANA time zone (validated by the caller); UTC when not given. */
  timeZone?: string | undefined;
  cursor?: string | undefined;
  limit?: number | undefined;
}

/** A page of the owner's workouts, newest first (keyset.ts); a cursor it did not write is InvalidError. */
export async function listWorkoutsPage(
  db: Database,
  ownerId: string,
  options: WorkoutsPageOptions,
): Promise<{ rows: WorkoutSummary[]; next: string | null }> {
  const limit = options.limit ?? PAGE_DEFAULT_LIMIT;
  const zone = options.timeZone ?? "UTC";
  // The month's bounds are local midnights in the owner's zone (a month is not 30 days of UTC).
  const start = options.month ? dsql`(${`${options.month}-01`}::timestamp at time zone ${zone})` : undefined;
  const end = options.month
    ? dsql`((${`${options.month}-01`}::timestamp + interval '1 month') at time zone ${zone})`
    : undefined;
  const rows = await db
    .select({ ...summaryColumns, keyAt: keyAt(workoutLogs.performedAt) })
    .from(workoutLogs)
    .leftJoin(workoutPlans, eq(workoutPlans.id, workoutLogs.planId))
    .leftJoin(logSets, eq(logSets.logId, workoutLogs.id))
    .where(
      and(
        eq(workoutLogs.userId, ownerId),
        start ? dsql`${workoutLogs.performedAt} >= ${start}` : undefined,
        end ? dsql`${workoutLogs.performedAt} < ${end}` : undefined,
        afterCursor(options.cursor, workoutLogs.performedAt, workoutLogs.id),
      ),
    )
    .groupBy(workoutLogs.id, workoutPlans.name)
    .orderBy(desc(workoutLogs.performedAt), desc(workoutLogs.id))
    .limit(limit + 1);
  return keysetPage(rows, limit);
}

export async function getWorkout(db: Database, ownerId: string, workoutId: string) {
  const [log] = await db
    .select({
      id: workoutLogs.id,
      performedAt: workoutLogs.performedAt,
      endedAt: workoutLogs.endedAt,
      planId: workoutLogs.planId,
      planName: workoutPlans.name,
      deviceId: workoutLogs.deviceId,
      deviceName: devices.name,
      heartRateMetric: workoutLogs.heartRateMetric,
    })
    .from(workoutLogs)
    .leftJoin(workoutPlans, eq(workoutPlans.id, workoutLogs.planId))
    .leftJoin(devices, and(eq(devices.id, workoutLogs.deviceId), eq(devices.ownerId, ownerId)))
    .where(and(eq(workoutLogs.id, workoutId), eq(workoutLogs.userId, ownerId)));
  if (!log) return undefined;
  const sets = await db
    .select(SET_WITH_EXERCISE)
    .from(logSets)
    .innerJoin(exercises, eq(exercises.id, logSets.exerciseId))
    .innerJoin(workoutLogs, eq(workoutLogs.id, logSets.logId))
    .where(and(eq(logSets.logId, workoutId), eq(workoutLogs.userId, ownerId)))
    .orderBy(asc(exercises.name), asc(logSets.setNumber));
  const volumeKg = sessionVolumeKg(sets);
  return {
    ...log,
    heartRateMetric: log.heartRateMetric ?? DEFAULT_HEART_RATE_METRIC,
    sets,
    setCount: sets.length,
    volumeKg,
  };
}

export async function deleteWorkout(db: Database, ownerId: string, workoutId: string): Promise<boolean> {
  const rows = await db
    .delete(workoutLogs)
    .where(and(eq(workoutLogs.id, workoutId), eq(workoutLogs.userId, ownerId)))
    .returning({ id: workoutLogs.id });
  return rows.length > 0;
}

/** Whether the owner has logged any workout. */
export async function hasWorkouts(db: Database, ownerId: string): Promise<boolean> {
  const [any] = await db
    .select({ id: workoutLogs.id })
    .from(workoutLogs)
    .where(eq(workoutLogs.userId, ownerId))
    .limit(1);
  return any !== undefined;
}
