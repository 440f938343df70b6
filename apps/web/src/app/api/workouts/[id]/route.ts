import { deleteWorkout } from "@pulseboard/schema/queries/workouts";
import { idParam, json, notFound, withSession } from "@/lib/api";
import { db } from "@/lib/db";
import { workoutWithHeartRate } from "@/lib/workouts";

export const GET = withSession<{ id: string }>(async (_request, session, params) => {
  const workout = await workoutWithHeartRate(db, session.user.id, idParam(params.id, "workout"));
  if (!workout) throw notFound("workout not found");
  return json(workout);
});

// Logs are append-only: a wrong one is deleted and logged again.
export const DELETE = withSession<{ id: string }>(async (_request, session, params) => {
  if (!(await deleteWorkout(db, session.user.id, idParam(params.id, "workout"))))
    throw notFound("workout not found");
  return new Response(null, { status: 204 });
});
