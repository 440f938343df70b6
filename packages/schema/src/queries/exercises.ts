// The shared exercise catalog: anyone signed in lists it and adds to it; names are unique
// ignoring case and spacing.
import { and, asc, sql as dsql, eq, ilike, inArray } from "drizzle-orm";
import type { Database } from "../client";
import { ConflictError, InvalidError } from "../errors";
import { type CreateExerciseBody, type Exercise, exercises, normalizedExerciseName } from "../schema/fitness";

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

/** Adds an exercise to the shared catalog; a name that exists (ignoring case and
 * spacing) throws ConflictError. */
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
  throw new ConflictError(`an exercise named "${existing?.name ?? body.name}" already exists`, {
    field: "name",
  });
}

/** The catalog's exercises with these exact names (the demo seeding finds its plan's by name). */
export function findExercisesByName(db: Database, names: readonly string[]): Promise<Exercise[]> {
  if (names.length === 0) return Promise.resolve([]);
  return db
    .select()
    .from(exercises)
    .where(inArray(exercises.name, [...names]));
}

/** Every id must be in the catalog; those that are not throw InvalidError (a 400, not a 404). */
export async function assertExercisesExist(db: Pick<Database, "select">, ids: string[]) {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return;
  const found = await db.select({ id: exercises.id }).from(exercises).where(inArray(exercises.id, unique));
  if (found.length !== unique.length) {
    const missing = unique.filter((id) => !found.some((f) => f.id === id));
    throw new InvalidError(`unknown exercise: ${missing.join(", ")}`, { field: "exerciseId" });
  }
}
