import "server-only";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { cache } from "react";
import { type AuthSession, auth } from "./auth";

/** The signed-in session of this request, or null; checked against the database every time. */
export const currentSession = cache(async (): Promise<AuthSession | null> => {
  return auth.api.getSession({ headers: await headers() });
});

/** For pages and server actions: the session, or a redirect to /sign-in. */
export async function requireSession(): Promise<AuthSession> {
  const session = await currentSession();
  if (!session) redirect("/sign-in");
  return session;
}

/** For route handlers: the session of the request, or null. */
export function requestSession(request: Request): Promise<AuthSession | null> {
  return auth.api.getSession({ headers: request.headers });
}
