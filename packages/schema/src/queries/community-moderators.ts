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
 * Grants the role to the users whose e-mail is on the list (COMMUNITY_MODERATORS), and only once
 * that address is verified: an unverified address grants nothing (anyone may sign up with it).
 * Returns how many were granted now.
 */
export async function grantModeratorsByEmail(db: Database, emails: readonly string[]): Promise<number> {
  if (emails.length === 0) return 0;
  const rows = await db.$client`
    insert into community_moderators (user_id, granted_by)
    select id, 'COMMUNITY_MODERATORS' from "user"
    where lower(email) = any(${emails.map((e) => e.toLowerCase())}::text[]) and email_verified
    on conflict (user_id) do nothing
    returning user_id`;
  return rows.length;
}

/** Takes the role back; false when the user did not have it. */
export async function revokeModerator(db: Database, userId: string): Promise<boolean> {
  const rows = await db.$client`delete from community_moderators where user_id = ${userId} returning user_id`;
  return rows.length > 0;
}
