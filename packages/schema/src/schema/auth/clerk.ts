// Clerk as the identity provider (AUTH_PROVIDER=clerk): its users live in the same `user` table
// Better Auth uses, so every foreign key to `user` works unchanged. Clerk tells us about them by
// signed webhook (user.created, user.updated, user.deleted: queries/clerk-users.ts applies them);
// this table holds what the sync itself needs, one row per Clerk user id ever heard of:
// - `clerk_updated_at`, Clerk's own `updated_at` of the last event applied: the staleness guard
//   (Better Auth's `user.updated_at` changes on every local write, so it cannot serve);
// - `deleted_at`, the tombstone: once a user is deleted, a late user.created or user.updated, or a
//   session token still valid for a few seconds, never brings them back.
// It has no foreign key to `user` on purpose: the tombstone outlives the user row.
import { pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { z } from "zod";

export const clerkUsers = pgTable("clerk_users", {
  /** Clerk's user id (`user_...`), also the `user` row's id. */
  id: text("id").primaryKey(),
  /** Clerk's `updated_at` of the last event applied; null until one is (a just-in-time row). */
  clerkUpdatedAt: timestamp("clerk_updated_at", { withTimezone: true }),
  /** Set once by user.deleted; the user row is gone from then on and stays gone. */
  deletedAt: timestamp("deleted_at", { withTimezone: true }),
});

// --- The webhook's contract: the parts of Clerk's user events the sync reads ---------------------

const clerkEmailAddress = z.object({
  id: z.string(),
  email_address: z.string(),
  verification: z.object({ status: z.string().nullish() }).nullish(),
});

/** Clerk's User object as user.created and user.updated carry it (timestamps in ms). */
export const clerkUserData = z.object({
  id: z.string().min(1).max(200),
  email_addresses: z.array(clerkEmailAddress).default([]),
  primary_email_address_id: z.string().nullish(),
  first_name: z.string().nullish(),
  last_name: z.string().nullish(),
  username: z.string().nullish(),
  image_url: z.string().nullish(),
  created_at: z.number().int(),
  updated_at: z.number().int(),
});

export const clerkUserEvent = z.discriminatedUnion("type", [
  z.object({ type: z.literal(["user.created", "user.updated"]), data: clerkUserData }),
  z.object({
    type: z.literal("user.deleted"),
    // Clerk sends the id (and `deleted: true`) only.
    data: z.object({ id: z.string().min(1).max(200) }),
  }),
]);

export type ClerkUserData = z.output<typeof clerkUserData>;
export type ClerkUserEvent = z.output<typeof clerkUserEvent>;

/** The events the sync handles; Clerk sends others to the same endpoint if subscribed. */
export const CLERK_USER_EVENT_TYPES = ["user.created", "user.updated", "user.deleted"] as const;

/**
 * What the local row keeps of a Clerk user: the primary e-mail address (not the first listed;
 * none when Clerk has none), lower-cased as Better Auth stores addresses; a display name (first
 * and last name, else the username, else empty: the column is not null); the image.
 */
export function localUserFields(data: ClerkUserData): {
  email: string | null;
  emailVerified: boolean;
  name: string;
  image: string | null;
} {
  const primary = data.email_addresses.find((e) => e.id === data.primary_email_address_id);
  const name = [data.first_name, data.last_name]
    .map((part) => part?.trim())
    .filter(Boolean)
    .join(" ");
  return {
    email: primary ? primary.email_address.trim().toLowerCase() : null,
    emailVerified: primary?.verification?.status === "verified",
    name: name || data.username?.trim() || "",
    image: data.image_url || null,
  };
}
