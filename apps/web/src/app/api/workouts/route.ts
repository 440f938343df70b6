import { createWorkoutBody } from "@pulseboard/schema/fitness";
import { createWorkout, getWorkout, listWorkouts } from "@pulseboard/schema/queries/workouts";
import { json, parse, readJson, withSession } from "@/lib/api";
import { db } from "@/lib/db";

export const GET = withSession(async (_request, session) =>
  json(await listWorkouts(db, session.user.id, 500)),
);

// The whole session in one request, stored in one transaction; logs are never edited.
export const POST = withSession(async (request, session) => {
  const body = parse(createWorkoutBody, await readJson(request), "workout");
  const id = await createWorkout(db, session.user.id, body);
  return json(await getWorkout(db, session.user.id, id), 201);
});
