// How a run of wrong passwords slows one account down: a few free tries, then a wait that doubles
// with each further failure, capped low enough that the owner can always get in within a minute
// (no lockout an attacker could hold someone in), high enough that guessing is one try a minute.
// Counted per e-mail in the database (queries/sign-in-failures.ts), so every web instance agrees.

/** Failures before any wait. */
export const FREE_FAILURES = 5;
/** The longest wait between attempts, in seconds. */
export const MAX_WAIT_SECONDS = 60;
/** A run of failures this old is forgotten. */
export const FORGET_AFTER_SECONDS = 24 * 3600;

/** Seconds the account waits before its next attempt after `failures` consecutive failures. */
export function waitAfterFailures(failures: number): number {
  if (failures < FREE_FAILURES) return 0;
  return Math.min(2 ** (failures - FREE_FAILURES), MAX_WAIT_SECONDS);
}

/** The key failures are counted under: the e-mail as Better Auth stores it (trimmed, lower case). */
export function accountKey(email: unknown): string | undefined {
  if (typeof email !== "string") return undefined;
  const key = email.trim().toLowerCase();
  return key === "" ? undefined : key;
}
