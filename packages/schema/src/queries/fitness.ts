// Fitness queries: the shared catalog, and plans, workouts and preferences scoped by owner in the
// query itself (another user's id finds nothing; the API answers 404).
import { and, asc, desc, sql as dsql, eq, ilike, inArray, lte } from "drizzle-orm";
import type { Database, SqlClient } from "../client";
import { DEFAULT_HEART_RATE_METRIC, sessionVolumeKg } from "../fitness-math";
import {
  type CreateExerciseBody,
  type CreatePlanBody,
  type CreateWorkoutBody,
  type Exercise,
  exercises,
  type FitnessPreferences,
  fitnessPreferences,
  logSets,
  normalizedExerciseName,
  type PreferencesBody,
  planExercises,
  workoutLogs,
  workoutPlans,
} from "../schema/fitness";
import { devices } from "../schema/telemetry";

/** A request naming something that is not there (or not the caller's): the API's 404 / 400. */
export class FitnessInputError extends Error {
  constructor(
    readonly status: 400 | 404 | 409,
    message: string,
  ) {
    super(message);
  }
}

// --- catalog ---------------------------------------------------------------------------------

export function listExercises(
  db: Database,
  filter: { q?: string | undefined; muscleGroup?: string | undefined } = {},
): Promise<Exercise[]> {
  const q = filter.q?.replace(/[\\%_]/g, (c) => `\\${c}`);
  return db
    .select()
    .from(exercises)
    .where(
      and(
        q ? ilike(exercises.name, `%${q}%`) : undefined,
        filter.muscleGroup ? eq(exercises.muscleGroup, filter.muscleGroup) : undefined,
      ),
    )
    .orderBy(asc(exercises.name));
}

/** Adds an exercise to the shared catalog; a name that exists (ignoring case and spacing) is a 409. */
export async function createExercise(
  db: Database,
  userId: string,
  body: CreateExerciseBody,
): Promise<Exercise> {
  const [row] = await db
    .insert(exercises)
    .values({ name: body.name, muscleGroup: body.muscleGroup ?? null, createdBy: userId })
    .onConflictDoNothing()
    .returning();
  if (row) return row;
  const [existing] = await db
    .select()
    .from(exercises)
    .where(eq(normalizedExerciseName(exercises.name), normalizedExerciseName(dsql`${body.name}`)));
  throw new FitnessInputError(409, `an exercise named "${existing?.name ?? body.name}" already exists`);
}

// --- plans -----------------------------------------------------------------------------------

export interface PlanView {
  id: string;
  name: string;
  createdAt: Date;
  exercises: {
    exerciseId: string;
    name: string;
    muscleGroup: string | null;
    position: number;
    targetSets: number;
    targetReps: number;
  }[];
}

export async function listPlans(db: Database, ownerId: string, planId?: string): Promise<PlanView[]> {
  const plans = await db
    .select()
    .from(workoutPlans)
    .where(and(eq(workoutPlans.ownerId, ownerId), planId ? eq(workoutPlans.id, planId) : undefined))
    .orderBy(asc(workoutPlans.name));
  if (plans.length === 0) return [];
  const items = await db
    .select({
      planId: planExercises.planId,
      exerciseId: planExercises.exerciseId,
      name: exercises.name,
      muscleGroup: exercises.muscleGroup,
      position: planExercises.position,
      targetSets: planExercises.targetSets,
      targetReps: planExercises.targetReps,
    })
    .from(planExercises)
    .innerJoin(exercises, eq(exercises.id, planExercises.exerciseId))
    .innerJoin(workoutPlans, eq(workoutPlans.id, planExercises.planId))
    .where(
      and(
        eq(workoutPlans.ownerId, ownerId),
        inArray(
          planExercises.planId,
          plans.map((p) => p.id),
        ),
      ),
    )
    .orderBy(asc(planExercises.position));
  return plans.map((p) => ({
    id: p.id,
    name: p.name,
    createdAt: p.createdAt,
    exercises: items.filter((i) => i.planId === p.id).map(({ planId: _, ...rest }) => rest),
  }));
}

export async function getPlan(db: Database, ownerId: string, planId: string): Promise<PlanView | undefined> {
  return (await listPlans(db, ownerId, planId))[0];
}

async function assertExercisesExist(db: Pick<Database, "select">, ids: string[]) {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return;
  const found = await db.select({ id: exercises.id }).from(exercises).where(inArray(exercises.id, unique));
  if (found.length !== unique.length) {
    const missing = unique.filter((id) => !found.some((f) => f.id === id));
    throw new FitnessInputError(400, `unknown exercise: ${missing.join(", ")}`);
  }
}

export async function createPlan(db: Database, ownerId: string, body: CreatePlanBody): Promise<PlanView> {
  const id = await db.transaction(async (tx) => {
    await assertExercisesExist(
      tx,
      body.exercises.map((e) => e.exerciseId),
    );
    const [plan] = await tx
      .insert(workoutPlans)
      .values({ ownerId, name: body.name })
      .returning({ id: workoutPlans.id });
    if (!plan) throw new Error("plan was not created");
    if (body.exercises.length > 0) {
      await tx.insert(planExercises).values(
        body.exercises.map((e, i) => ({
          planId: plan.id,
          exerciseId: e.exerciseId,
          position: i + 1,
          targetSets: e.targetSets,
          targetReps: e.targetReps,
        })),
      );
    }
    return plan.id;
  });
  const plan = await getPlan(db, ownerId, id);
  if (!plan) throw new Error("plan vanished");
  return plan;
}

export async function renamePlan(
  db: Database,
  ownerId: string,
  planId: string,
  name: string,
): Promise<boolean> {
  const rows = await db
    .update(workoutPlans)
    .set({ name })
    .where(and(eq(workoutPlans.id, planId), eq(workoutPlans.ownerId, ownerId)))
    .returning({ id: workoutPlans.id });
  return rows.length > 0;
}

/** Deletes the plan; its logs stay, with plan_id set null (the seed's rule). */
export async function deletePlan(db: Database, ownerId: string, planId: string): Promise<boolean> {
  const rows = await db
    .delete(workoutPlans)
    .where(and(eq(workoutPlans.id, planId), eq(workoutPlans.ownerId, ownerId)))
    .returning({ id: workoutPlans.id });
  return rows.length > 0;
}

// --- workouts --------------------------------------------------------------------------------

/** Stores a whole session in one transaction. A plan or device that is not the owner's is a 404. */
export async function createWorkout(db: Database, ownerId: string, body: CreateWorkoutBody): Promise<string> {
  return db.transaction(async (tx) => {
    if (body.planId) {
      const [plan] = await tx
        .select({ id: workoutPlans.id })
        .from(workoutPlans)
        .where(and(eq(workoutPlans.id, body.planId), eq(workoutPlans.ownerId, ownerId)));
      if (!plan) throw new FitnessInputError(404, "plan not found");
    }
    if (body.deviceId) {
      const [device] = await tx
        .select({ id: devices.id })
        .from(devices)
        .where(and(eq(devices.id, body.deviceId), eq(devices.ownerId, ownerId)));
      if (!device) throw new FitnessInputError(404, "device not found");
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

export async function listWorkouts(db: Database, ownerId: string, limit = 100): Promise<WorkoutSummary[]> {
  return db
    .select({
      id: workoutLogs.id,
      performedAt: workoutLogs.performedAt,
      endedAt: workoutLogs.endedAt,
      planId: workoutLogs.planId,
      planName: workoutPlans.name,
      deviceId: workoutLogs.deviceId,
      sets: dsql<number>`count(${logSets.id})::int`,
      volumeKg: dsql<number>`coalesce(sum(${logSets.reps} * ${logSets.weightKg}), 0)::float8`,
    })
    .from(workoutLogs)
    .leftJoin(workoutPlans, eq(workoutPlans.id, workoutLogs.planId))
    .leftJoin(logSets, eq(logSets.logId, workoutLogs.id))
    .where(eq(workoutLogs.userId, ownerId))
    .groupBy(workoutLogs.id, workoutPlans.name)
    .orderBy(desc(workoutLogs.performedAt), desc(workoutLogs.id))
    .limit(limit);
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
    .select({
      exerciseId: logSets.exerciseId,
      exerciseName: exercises.name,
      muscleGroup: exercises.muscleGroup,
      setNumber: logSets.setNumber,
      reps: logSets.reps,
      weightKg: logSets.weightKg,
    })
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
      exerciseId: logSets.exerciseId,
      exerciseName: exercises.name,
      muscleGroup: exercises.muscleGroup,
      setNumber: logSets.setNumber,
      reps: logSets.reps,
      weightKg: logSets.weightKg,
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

// --- preferences -----------------------------------------------------------------------------

export const DEFAULT_PREFERENCES = {
  weightUnit: "kg",
  e1rmFormula: "epley",
  repCap: 10,
  age: null,
  maxHeartRate: null,
} as const satisfies PreferencesBody;

export async function getPreferences(db: Database, userId: string): Promise<PreferencesBody> {
  const [row] = await db.select().from(fitnessPreferences).where(eq(fitnessPreferences.userId, userId));
  if (!row) return { ...DEFAULT_PREFERENCES };
  const { weightUnit, e1rmFormula, repCap, age, maxHeartRate } = row;
  return { weightUnit, e1rmFormula, repCap, age, maxHeartRate };
}

export async function savePreferences(
  db: Database,
  userId: string,
  body: PreferencesBody,
): Promise<FitnessPreferences> {
  const [row] = await db
    .insert(fitnessPreferences)
    .values({ userId, ...body })
    .onConflictDoUpdate({ target: fitnessPreferences.userId, set: { ...body, updatedAt: new Date() } })
    .returning();
  if (!row) throw new Error("preferences were not saved");
  return row;
}

// --- heart rate beside a workout -------------------------------------------------------------

/** A reading stands for the time until the next one, but never for more than this. */
export const HEART_RATE_SAMPLE_CAP_SECONDS = 30;

export interface HeartRateSummary {
  metric: string;
  readings: number;
  avg: number | null;
  max: number | null;
  min: number | null;
  /** Seconds spent at or above each lower bound, per zone (bounds ascending; a bpm below the first counts nowhere). */
  secondsInZone: number[];
}

/**
 * Average, maximum and time in each zone of the workout's device metric over [from, to), in
 * PostgreSQL. Each reading stands for the time until the next one in the window (or the window's
 * end), capped at HEART_RATE_SAMPLE_CAP_SECONDS so gaps count as nothing. `zoneMins` are the
 * zones' lower bounds in bpm, ascending. Owner-scoped through the device.
 */
export async function heartRateSummary(
  sql: SqlClient,
  request: { ownerId: string; deviceId: string; metric: string; from: Date; to: Date; zoneMins: number[] },
): Promise<HeartRateSummary> {
  const { ownerId, deviceId, metric, from, to, zoneMins } = request;
  const [row] = await sql<
    { readings: number; avg: number | null; max: number | null; min: number | null; zones: number[] | null }[]
  >`
    with samples as (
      select r.value::float8 as bpm,
             least(extract(epoch from coalesce(lead(r.recorded_at) over (order by r.recorded_at), ${to.toISOString()}::timestamptz) - r.recorded_at),
                   ${HEART_RATE_SAMPLE_CAP_SECONDS})::float8 as seconds
      from sensor_readings r
      join devices d on d.id = r.device_id and d.owner_id = ${ownerId}
      where r.device_id = ${deviceId} and r.metric = ${metric}
        and r.recorded_at >= ${from.toISOString()}::timestamptz and r.recorded_at < ${to.toISOString()}::timestamptz
    ),
    zoned as (
      select bpm, seconds,
             (select max(z.i) from unnest(${zoneMins}::float8[]) with ordinality as z(lo, i) where samples.bpm >= z.lo) as zone
      from samples
    )
    select count(*)::int as readings, avg(bpm) as avg, max(bpm) as max, min(bpm) as min,
           (select array_agg(coalesce((select sum(seconds) from zoned where zone = g.i), 0)::float8 order by g.i)
            from generate_series(1, ${zoneMins.length}::int) as g(i)) as zones
    from zoned`;
  return {
    metric,
    readings: row?.readings ?? 0,
    avg: row?.avg ?? null,
    max: row?.max ?? null,
    min: row?.min ?? null,
    secondsInZone: row?.zones ?? zoneMins.map(() => 0),
  };
}
