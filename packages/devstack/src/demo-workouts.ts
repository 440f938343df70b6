// The demo account's workout history, created once (when it has none): a plan, a session three
// days ago and one that just ended with the demo wearable, whose heart rate over it is
// backfilled from the simulator's wearable profile, so the workout page shows it at first start.
// Not one transaction: an interrupted first start leaves a partial history that is kept.
import type { Database } from "@pulseboard/schema/client";
import { findExercisesByName } from "@pulseboard/schema/queries/exercises";
import { storeSamples } from "@pulseboard/schema/queries/heart-rate";
import { createPlan } from "@pulseboard/schema/queries/plans";
import { createWorkout, hasWorkouts } from "@pulseboard/schema/queries/workouts";
import { createProfile } from "@pulseboard/simulator";

const PLAN = [
  { name: "Barbell Back Squat", sets: 3, reps: 5, startKg: 80 },
  { name: "Barbell Bench Press", sets: 3, reps: 8, startKg: 60 },
  { name: "Barbell Row", sets: 3, reps: 8, startKg: 55 },
];

export async function ensureDemoWorkouts(
  db: Database,
  ownerId: string,
  wearableId: string | undefined,
): Promise<boolean> {
  if (await hasWorkouts(db, ownerId)) return false;
  const found = await findExercisesByName(
    db,
    PLAN.map((p) => p.name),
  );
  const ids = PLAN.map((p) => found.find((e) => e.name === p.name)?.id);
  if (ids.some((id) => !id)) return false;
  const plan = await createPlan(db, ownerId, {
    name: "Demo full body",
    exercises: PLAN.map((p, i) => ({ exerciseId: ids[i] as string, targetSets: p.sets, targetReps: p.reps })),
  });
  const sets = (extraKg: number) =>
    PLAN.flatMap((p, i) =>
      Array.from({ length: p.sets }, (_, s) => ({
        exerciseId: ids[i] as string,
        setNumber: s + 1,
        reps: p.reps,
        weightKg: p.startKg + extraKg + s * 2.5,
      })),
    );
  const now = Date.now();
  await createWorkout(db, ownerId, {
    performedAt: new Date(now - 3 * 86_400_000),
    endedAt: new Date(now - 3 * 86_400_000 + 50 * 60_000),
    planId: plan.id,
    sets: sets(0),
  });
  const start = now - 50 * 60_000;
  const end = now - 5 * 60_000;
  if (wearableId) {
    const profile = createProfile("wearable", {
      seed: 42,
      startMs: start,
      sessionMs: end - start,
      steps: false,
    });
    const at: string[] = [];
    const values: number[] = [];
    for (let ts = start - 5 * 60_000; ts < end + 5 * 60_000; ts += 5000) {
      at.push(new Date(ts).toISOString());
      values.push(profile.sample(ts).values.heart_rate ?? 0);
    }
    // Stored now (received_at defaults to now): the roll-up of closed minutes takes them as late
    // readings, so charts count them whatever the watermark.
    await storeSamples(db, { deviceId: wearableId, metric: "heart_rate", at, values });
  }
  await createWorkout(db, ownerId, {
    performedAt: new Date(start),
    endedAt: new Date(end),
    planId: plan.id,
    ...(wearableId ? { deviceId: wearableId } : {}),
    sets: sets(2.5),
  });
  return true;
}
