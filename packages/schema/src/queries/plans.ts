// Workout plans, scoped by owner in the query itself: another user's plan is not found.
import { and, asc, eq, inArray } from "drizzle-orm";
import type { Database } from "../client";
import { type CreatePlanBody, exercises, planExercises, workoutPlans } from "../schema/fitness";
import { assertExercisesExist } from "./exercises";

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
