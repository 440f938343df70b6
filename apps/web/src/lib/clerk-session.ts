import "server-only";
import { type ClerkClient, createClerkClient } from "@clerk/backend";
import { env } from "@/env";

// Verifies a request's Clerk session token (a bearer header, else the `__session` cookie with
// `__client_uat`) in the route handler or page itself, the way clerkMiddleware does, with
// CLERK_JWT_KEY and without a network call. API routes do not pass through the proxy, so their
// bodies reach the handler as they arrive (the size limits refuse an oversized one while it is
// still coming in); pages do, for Clerk's session refresh (its handshake redirect).

let client: ClerkClient | undefined;
const authorizedParties = clerkAuthorizedParties();

/** The signed-in Clerk user id of a request, or null (no token, or one that does not verify). */
export async function clerkUserId(request: Request): Promise<string | null> {
  client ??= createClerkClient({
    secretKey: env.CLERK_SECRET_KEY,
    publishableKey: env.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY,
    jwtKey: env.CLERK_JWT_KEY,
    telemetry: { disabled: true },
  });
  const state = await client.authenticateRequest(request, {
    jwtKey: env.CLERK_JWT_KEY,
    authorizedParties,
    acceptsToken: "session_token",
  });
  const auth = state.isAuthenticated ? state.toAuth() : null;
  return auth?.userId ?? null;
}

/** CLERK_AUTHORIZED_PARTIES as origins, or undefined (any `azp`) when unset. */
export function clerkAuthorizedParties(): string[] | undefined {
  return env.CLERK_AUTHORIZED_PARTIES.length > 0
    ? env.CLERK_AUTHORIZED_PARTIES.map((url) => new URL(url).origin)
    : undefined;
}
