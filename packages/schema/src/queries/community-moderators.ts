// The community's moderator role: its own table (community_moderators), by local user id, so it
// works the same under Better Auth and Clerk.
import type { Database } from "../client";
import { NotFoundError } from "../errors";

export async function isModerator(db: Database, userId: string): Promise<boolean> {
  const [row] = await db.$client<{ yes: boolean }[]>`
    select exists (select 1 from community_moderators where user_id = ${userId}) as yes`;
  return row?.yes ?? false;
}

/** Grants the role to a user by id (the `community:moderator` command); NotFoundError if no such user. */
export async function grantModerator(db: Database, userId: string, grantedBy: string): Promise<void> {
  const [row] = await db.$client<{ id: string }[]>`
    insert into community_moderators (user_id, granted_by)
    select id, ${grantedBy} from "user" where id = ${userId}
    on conflict (user_id) do update set granted_by = community_moderators.granted_by
    returning user_id as id`;
  if (!row) throw new NotFoundError(`no user with the id ${userId}`, { field: "userId" });
}

/**
 * Whether this user moderates, granting the role first when their e-mail is on the list
 * (COMMUNITY_MODERATORS) and verified: an unverified address grants nothing (anyone may sign up
 * with it). Scoped to the user in the statement; concurrent calls agree.
 */
export async function moderatesByVerifiedEmail(
  db: Database,
  userId: string,
  emails: readonly string[],
): Promise<boolean> {
  if (emails.length === 0) return isModerator(db, userId);
  await db.$client`
    insert into community_moderators (user_id, granted_by)
    select id, 'COMMUNITY_MODERATORS' from "user"
    where id = ${userId} and email_verified and lower(email) = any(${emails.map((e) => e.toLowerCase())}::text[])
    on conflict (user_id) do nothing`;
  return isModerator(db, userId);
}

/** Takes the role back; false when the user did not have it. */
export async function revokeModerator(db: Database, userId: string): Promise<boolean> {
  const rows = await db.$client`delete from community_moderators where user_id = ${userId} returning user_id`;
  return rows.length > 0;
}
