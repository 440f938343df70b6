import { hashPassword } from "better-auth/crypto";
import { eq } from "drizzle-orm";
import type { Database } from "./client";
import { account, user } from "./schema/auth";
import { EXERCISE_CATALOG, exercises } from "./schema/fitness";

/**
 * Adds the shared exercise catalog; an exercise already there, also under a user's spelling
 * ("bench  press"), is left as it is.
 */
export async function seedExerciseCatalog(db: Database): Promise<number> {
  const inserted = await db
    .insert(exercises)
    .values([...EXERCISE_CATALOG])
    .onConflictDoNothing()
    .returning({ id: exercises.id });
  return inserted.length;
}

export interface DemoAccount {
  email: string;
  password: string;
  name: string;
}

/**
 * Creates the demo account if no user has its email, as Better Auth's email sign-up would: a
 * `user` row and a `credential` account holding the password hash. Returns the user's id.
 */
export async function ensureDemoAccount(db: Database, demo: DemoAccount): Promise<string> {
  const email = demo.email.toLowerCase();
  const [existing] = await db.select({ id: user.id }).from(user).where(eq(user.email, email));
  if (existing) return existing.id;
  const passwordHash = await hashPassword(demo.password);
  return db.transaction(async (tx) => {
    const id = crypto.randomUUID();
    const [created] = await tx
      .insert(user)
      .values({ id, email, name: demo.name, emailVerified: true })
      .onConflictDoNothing({ target: user.email })
      .returning({ id: user.id });
    if (!created) {
      // Another process seeded it between our read and insert.
      const [row] = await tx.select({ id: user.id }).from(user).where(eq(user.email, email));
      if (!row) throw new Error("demo account vanished while seeding");
      return row.id;
    }
    await tx.insert(account).values({
      id: crypto.randomUUID(),
      userId: id,
      accountId: id,
      providerId: "credential",
      password: passwordHash,
    });
    return id;
  });
}
