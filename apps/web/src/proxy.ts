import { clerkMiddleware } from "@clerk/nextjs/server";
import { getSessionCookie } from "better-auth/cookies";
import { type NextFetchEvent, type NextRequest, NextResponse } from "next/server";
import { env } from "@/env";
import { clerkAuthorizedParties } from "@/lib/clerk-session";
import { PATH_HEADER } from "@/lib/safe-next";

// A first gate in front of the pages, chosen by AUTH_PROVIDER at runtime (one build serves both).
// Every page, route handler and server action still checks the session itself (lib/session.ts).
// API routes do not pass through here: they answer 401 themselves, and their request bodies reach
// them unbuffered (a proxy would read a whole body before the handler's size limit could refuse it).

/** The pages that need a signed-in user. */
const PROTECTED_PAGES = /^\/(dashboard|settings)(\/|$)/;

function toSignIn(request: NextRequest): NextResponse {
  const signIn = new URL("/sign-in", request.url);
  signIn.searchParams.set("next", request.nextUrl.pathname + request.nextUrl.search);
  return NextResponse.redirect(signIn);
}

/**
 * On through to the page, telling it its own path (PATH_HEADER): a page whose session turns out
 * to be gone (revoked, expired) sends to sign-in with a way back (lib/session.ts requireSession).
 */
function onward(request: NextRequest): NextResponse {
  const headers = new Headers(request.headers);
  headers.set(PATH_HEADER, request.nextUrl.pathname + request.nextUrl.search);
  return NextResponse.next({ request: { headers } });
}

/** Better Auth: no session cookie, no dashboard (only its presence is looked at here). */
function betterAuthProxy(request: NextRequest): NextResponse {
  if (!PROTECTED_PAGES.test(request.nextUrl.pathname)) return NextResponse.next();
  return getSessionCookie(request) ? onward(request) : toSignIn(request);
}

/**
 * Clerk: clerkMiddleware verifies the session token (the `__session` cookie) on the pages, with
 * CLERK_JWT_KEY without a call to Clerk, and refreshes an expired one through Clerk's handshake
 * redirect. Options are read per request from the validated env, never baked into the build.
 */
const clerkProxy = clerkMiddleware(
  async (auth, request) => {
    if (!PROTECTED_PAGES.test(request.nextUrl.pathname)) return;
    const { userId } = await auth();
    return userId ? onward(request) : toSignIn(request);
  },
  () => ({
    publishableKey: env.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY,
    jwtKey: env.CLERK_JWT_KEY,
    authorizedParties: clerkAuthorizedParties(),
    signInUrl: "/sign-in",
    signUpUrl: "/sign-up",
  }),
);

export function proxy(request: NextRequest, event: NextFetchEvent) {
  return env.AUTH_PROVIDER === "clerk" ? clerkProxy(request, event) : betterAuthProxy(request);
}

export const config = {
  matcher: [
    "/",
    "/dashboard",
    "/dashboard/:path*",
    "/settings",
    "/settings/:path*",
    "/sign-in",
    "/sign-up",
    "/sign-out",
  ],
};
