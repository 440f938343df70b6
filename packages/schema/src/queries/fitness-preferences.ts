// A user's fitness preferences (weight unit, e1RM formula, heart-rate inputs); defaults until saved.
import { eq } from "drizzle-orm";
import type { Database } from "../client";
import { type FitnessPreferences, fitnessPreferences, type PreferencesBody } from "../schema/fitness";

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
