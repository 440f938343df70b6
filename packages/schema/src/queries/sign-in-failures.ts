// Failed password sign-ins per account (`sign_in_failures`), shared by every web instance. The
// web app's policy (apps/web/src/lib/sign-in-throttle.ts) says how long an account waits after
// n failures; these statements apply it atomically, so concurrent attempts cannot all slip
// through the same free slot.
import { eq, sql } from "drizzle-orm";
import type { Database } from "../client";
import { signInFailures } from "../schema/auth";

/** Seconds an account waits before its next attempt, after `failures` consecutive failures. */
export type DelayPolicy = (failures: number) => number;

export type SignInAttempt = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * Takes the account's next attempt slot: refused (with the seconds left) while its wait runs;
 * otherwise allowed, and the next attempt waits what its failures so far earn, so a burst of
 * concurrent attempts gets one through per wait. An e-mail with no failures is always allowed.
 */
export async function claimSignInAttempt(
  db: Database,
  email: string,
  now: Date,
  delayFor: DelayPolicy,
): Promise<SignInAttempt> {
  return db.transaction(async (tx) => {
    const [row] = await tx.select().from(signInFailures).where(eq(signInFailures.email, email)).for("update");
    if (!row) return { allowed: true };
    const waitMs = row.nextAttemptAt.getTime() - now.getTime();
    if (waitMs > 0) return { allowed: false, retryAfterSeconds: Math.ceil(waitMs / 1000) };
    const delayMs = delayFor(row.failures) * 1000;
    if (delayMs > 0) {
      await tx
        .update(signInFailures)
        .set({ nextAttemptAt: new Date(now.getTime() + delayMs) })
        .where(eq(signInFailures.email, email));
    }
    return { allowed: true };
  });
}

/**
 * Counts a failed attempt; a count whose last failure is older than `forgetAfterSeconds` starts
 * over. Returns the failures now on record.
 */
export async function recordFailedSignIn(
  db: Database,
  email: string,
  now: Date,
  delayFor: DelayPolicy,
  forgetAfterSeconds: number,
): Promise<number> {
  return db.transaction(async (tx) => {
    const [row] = await tx.select().from(signInFailures).where(eq(signInFailures.email, email)).for("update");
    const stale = !row || now.getTime() - row.lastFailedAt.getTime() > forgetAfterSeconds * 1000;
    const failures = stale ? 1 : row.failures + 1;
    const nextAttemptAt = new Date(now.getTime() + delayFor(failures) * 1000);
    await tx
      .insert(signInFailures)
      .values({ email, failures, lastFailedAt: now, nextAttemptAt })
      .onConflictDoUpdate({
        target: signInFailures.email,
        set: {
          failures,
          lastFailedAt: now,
          nextAttemptAt: sql`greatest(${signInFailures.nextAttemptAt}, excluded.next_attempt_at)`,
        },
      });
    return failures;
  });
}

/** A successful sign-in clears the account's failures. */
export async function clearFailedSignIns(db: Database, email: string): Promise<void> {
  await db.delete(signInFailures).where(eq(signInFailures.email, email));
}
