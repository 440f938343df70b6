import { createWorkoutBody, workoutsQuery } from "@pulseboard/schema/fitness";
import { getUserSettings } from "@pulseboard/schema/queries/user-settings";
import { createWorkout, getWorkout, listWorkoutsPage } from "@pulseboard/schema/queries/workouts";
import { json, paged, parse, readJson, searchParams, withSession } from "@/lib/api";
import { db } from "@/lib/db";

// A month is the owner's month: cut at midnights of their time zone.
export const GET = withSession(async (request, session) => {
  const query = parse(workoutsQuery, searchParams(request), "query");
  const { timeZone } = await getUserSettings(db, session.user.id);
  const { rows, next } = await listWorkoutsPage(db, session.user.id, { ...query, timeZone });
  return paged(request, rows, next);
});

// The whole session in one request, stored in one transaction; logs are never edited.
export const POST = withSession(async (request, session) => {
  const body = parse(createWorkoutBody, await readJson(request), "workout");
  const id = await createWorkout(db, session.user.id, body);
  return json(await getWorkout(db, session.user.id, id), 201);
});
