// Clerk users in the local `user` table (AUTH_PROVIDER=clerk; schema/auth/clerk.ts says why a
// second table holds the sync's state). Every write for one user takes that user's `clerk_users`
// row lock first, so events for the same user, and the just-in-time row, apply one at a time
// whatever order and concurrency they arrive in:
// - created/updated apply only when newer than the last applied event (the guard is in the
//   UPDATE's WHERE on `clerk_updated_at`) and never after the tombstone;
// - deleted sets the tombstone and deletes the user row: every table that references `user`
//   cascades, and the devices' readings go to the background purge (device-purge.ts), so this
//   answers at once whatever the user owns;
// - an e-mail address belongs to one user at a time: an event whose address a user with older
//   Clerk data holds takes it from them (two users swapping addresses converge in either order);
//   held by a user with newer data, the event stores no address (that user's own later event
//   will have said where it went).
// Two transactions on different users may still meet on the e-mail's unique index or deadlock on
// each other's rows; the whole transaction is then run again.
import type postgres from "postgres";
import type { Database, SqlClient } from "../client";
import { type ClerkUserEvent, localUserFields } from "../schema/auth/clerk";

export type ClerkEventOutcome =
  /** The user row now holds this event's data. */
  | "applied"
  /** An event as new or newer was applied before: nothing changed. */
  | "stale"
  /** The user was deleted before: nothing changed, and nothing will. */
  | "deleted_before"
  /** user.deleted: the user row is gone (with everything that references it). */
  | "deleted"
  /** user.deleted again: nothing changed. */
  | "already_deleted";

/** The SQLSTATEs after which running the whole transaction again can succeed. */
const RETRYABLE = new Set(["23505", "40P01", "40001"]);
const ATTEMPTS = 5;

async function retrying<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (attempt >= ATTEMPTS || typeof code !== "string" || !RETRYABLE.has(code)) throw error;
    }
  }
}

const fromMs = (ms: number) => new Date(ms).toISOString();

/** Applies one verified Clerk user event; idempotent, and safe to run concurrently. */
export function applyClerkUserEvent(db: Database, event: ClerkUserEvent): Promise<ClerkEventOutcome> {
  return retrying(() =>
    db.$client.begin(async (tx) => {
      const id = event.data.id;
      if (event.type === "user.deleted") {
        const [sync] = await tx<{ first: boolean }[]>`
          insert into clerk_users (id, deleted_at) values (${id}, now())
          on conflict (id) do update set deleted_at = coalesce(clerk_users.deleted_at, excluded.deleted_at)
          returning clerk_users.deleted_at = now() as first`;
        await tx`delete from "user" where id = ${id}`;
        return sync?.first ? "deleted" : "already_deleted";
      }
      const data = event.data;
      const at = fromMs(data.updated_at);
      await tx`insert into clerk_users (id) values (${id}) on conflict (id) do nothing`;
      const newer = await tx`
        update clerk_users set clerk_updated_at = ${at}::timestamptz
        where id = ${id} and deleted_at is null
          and (clerk_updated_at is null or clerk_updated_at < ${at}::timestamptz)
        returning 1`;
      if (newer.length === 0) {
        const [sync] = await tx<{ deleted: boolean }[]>`
          select deleted_at is not null as deleted from clerk_users where id = ${id}`;
        return sync?.deleted ? "deleted_before" : "stale";
      }
      const fields = localUserFields(data);
      const email = fields.email === null ? null : await claimEmail(tx, id, fields.email, at);
      await tx`
        insert into "user" (id, name, email, email_verified, image, created_at, updated_at)
        values (${id}, ${fields.name}, ${email}, ${email !== null && fields.emailVerified}, ${fields.image},
                ${fromMs(data.created_at)}::timestamptz, now())
        on conflict (id) do update
        set name = excluded.name, email = excluded.email, email_verified = excluded.email_verified,
            image = excluded.image, updated_at = now()`;
      return "applied";
    }),
  );
}

/**
 * The address `id` may store: taken from a user whose Clerk data is older than `at` (or who has
 * none), or null while a user with newer data holds it.
 */
async function claimEmail(
  tx: postgres.TransactionSql,
  id: string,
  email: string,
  at: string,
): Promise<string | null> {
  await tx`
    update "user" u set email = null, email_verified = false, updated_at = now()
    where u.email = ${email} and u.id <> ${id}
      and not exists (
        select 1 from clerk_users c where c.id = u.id and c.clerk_updated_at >= ${at}::timestamptz)`;
  const held = await tx`select 1 from "user" where email = ${email} and id <> ${id}`;
  return held.length > 0 ? null : email;
}

export interface LocalUser {
  id: string;
  email: string | null;
  name: string;
}

/**
 * The local row of a Clerk user who has a verified session, made now if no webhook has yet (no
 * e-mail, empty name: user.created fills them in, since the row has no Clerk data to be newer
 * than). Null for a deleted user: a session token still valid after the deletion finds nothing.
 */
export function clerkSessionUser(db: Database, id: string): Promise<LocalUser | null> {
  return retrying(async () => {
    const existing = await localUser(db.$client, id);
    if (existing) return existing;
    return db.$client.begin(async (tx) => {
      await tx`insert into clerk_users (id) values (${id}) on conflict (id) do nothing`;
      // Shares the row lock user.deleted takes, so a deletion is either seen here or waits.
      const [sync] = await tx<{ deleted: boolean }[]>`
        select deleted_at is not null as deleted from clerk_users where id = ${id} for share`;
      if (sync?.deleted) return null;
      await tx`
        insert into "user" (id, name, email, email_verified) values (${id}, '', null, false)
        on conflict (id) do nothing`;
      return localUser(tx, id);
    });
  });
}

async function localUser(sql: SqlClient | postgres.TransactionSql, id: string): Promise<LocalUser | null> {
  const [row] = await sql<LocalUser[]>`select id, email, name from "user" where id = ${id}`;
  return row ?? null;
}
