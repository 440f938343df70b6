// Failed password sign-ins per account, in the database so every web instance sees the same
// count (Better Auth's own limit is per client address and per instance). Keyed by the normalized
// e-mail typed, whether or not an account has it: the answer never tells which exist.
import { integer, pgTable, text, timestamp } from "drizzle-orm/pg-core";

export const signInFailures = pgTable("sign_in_failures", {
  email: text("email").primaryKey(),
  /** Consecutive failures since the last successful sign-in. */
  failures: integer("failures").notNull(),
  lastFailedAt: timestamp("last_failed_at", { withTimezone: true }).notNull(),
  /** No password attempt for this e-mail before then: each attempt, and each failure, moves it. */
  nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }).notNull(),
});
