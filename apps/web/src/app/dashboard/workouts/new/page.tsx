import { listDevices } from "@pulseboard/schema/queries/devices";
import { listExercises } from "@pulseboard/schema/queries/exercises";
import { getPreferences } from "@pulseboard/schema/queries/fitness-preferences";
import { listPlans } from "@pulseboard/schema/queries/plans";
import type { Metadata } from "next";
import { WorkoutForm } from "@/components/workout-form";
import { db } from "@/lib/db";
import { first } from "@/lib/params";
import { requireSession } from "@/lib/session";

export const metadata: Metadata = { title: "Log a workout" };

export default async function NewWorkoutPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const session = await requireSession();
  const ownerId = session.user.id;
  const [plans, exercises, devices, prefs] = await Promise.all([
    listPlans(db, ownerId),
    listExercises(db),
    listDevices(db, ownerId),
    getPreferences(db, ownerId),
  ]);
  const plan = first((await searchParams).plan);
  const initialPlanId = plans.find((p) => p.id === plan)?.id;
  return (
    <div className="stack" style={{ maxWidth: 720 }}>
      <h1>Log a workout</h1>
      <WorkoutForm
        plans={plans}
        exercises={exercises.map(({ id, name, muscleGroup }) => ({ id, name, muscleGroup }))}
        devices={devices.map(({ id, name }) => ({ id, name }))}
        unit={prefs.weightUnit}
        initialPlanId={initialPlanId}
      />
    </div>
  );
}
