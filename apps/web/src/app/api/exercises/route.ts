import { createExerciseBody, exercisesQuery } from "@pulseboard/schema/fitness";
import { createExercise, listExercises } from "@pulseboard/schema/queries/exercises";
import { json, parse, readJson, searchParams, withSession } from "@/lib/api";
import { db } from "@/lib/db";

export const GET = withSession(async (request) => {
  const query = parse(exercisesQuery, searchParams(request), "query");
  return json(await listExercises(db, query));
});

export const POST = withSession(async (request, session) => {
  const body = parse(createExerciseBody, await readJson(request), "exercise");
  return json(await createExercise(db, session.user.id, body), 201);
});
