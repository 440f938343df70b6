import "server-only";
import { clerkSessionUser } from "@pulseboard/schema/queries/clerk-users";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { cache } from "react";
import { env } from "@/env";
import { db } from "./db";
import { PATH_HEADER, safeNext } from "./safe-next";

// The one session interface of the app, whichever provider signed the user in (AUTH_PROVIDER):
// pages, route handlers and server actions see a user id, an e-mail address and a display name,
// both read from the local `user` row, never asked of Clerk's servers.

export interface SessionUser {
  id: string;
  /** Null only for a Clerk user without an address. */
  email: string | null;
  /** Possibly empty (a Clerk user with no name yet): show `displayName(user)`. */
  name: string;
}

export interface AppSession {
  user: SessionUser;
}

/** What to call the user: their name, else their e-mail address, else "your account". */
export function displayName(user: SessionUser): string {
  return user.name || user.email || "your account";
}

async function betterAuthSession(requestHeaders: Headers): Promise<AppSession | null> {
  // Loaded only under Better Auth: under Clerk its instance is never built.
  const { auth } = await import("./auth");
  const found = await auth.api.getSession({ headers: requestHeaders });
  if (!found) return null;
  const { id, email, name } = found.user;
  return { user: { id, email, name } };
}

async function clerkSession(request: Request): Promise<AppSession | null> {
  const { clerkUserId } = await import("./clerk-session");
  const userId = await clerkUserId(request);
  if (!userId) return null;
  // The local row, made now when the webhook has not come yet; none for a deleted user.
  const user = await clerkSessionUser(db, userId);
  return user ? { user } : null;
}

async function sessionOf(request: Request): Promise<AppSession | null> {
  return env.AUTH_PROVIDER === "clerk" ? clerkSession(request) : betterAuthSession(request.headers);
}

/** The signed-in session of this request, or null; checked against the database every time. */
export const currentSession = cache(async (): Promise<AppSession | null> => {
  const requestHeaders = await headers();
  // A page's own request, rebuilt from its headers: the URL only serves Clerk's checks of origin.
  const host = requestHeaders.get("host") ?? "localhost";
  return sessionOf(new Request(`http://${host}/`, { headers: requestHeaders }));
});

/** For pages and server actions: the session, or a redirect to /sign-in that comes back here. */
export async function requireSession(): Promise<AppSession> {
  const session = await currentSession();
  if (!session) {
    // The page's own path, from the proxy (a client could write the header: safeNext keeps it
    // to a path on this site).
    const here = (await headers()).get(PATH_HEADER);
    redirect(here ? `/sign-in?next=${encodeURIComponent(safeNext(here))}` : "/sign-in");
  }
  return session;
}

/** For route handlers: the session of the request, or null. */
export function requestSession(request: Request): Promise<AppSession | null> {
  return sessionOf(request);
}
