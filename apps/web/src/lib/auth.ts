import "server-only";
import * as schema from "@pulseboard/schema";
import {
  claimSignInAttempt,
  clearFailedSignIns,
  recordFailedSignIn,
} from "@pulseboard/schema/queries/sign-in-failures";
import { betterAuth } from "better-auth";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import { APIError, createAuthMiddleware, isAPIError } from "better-auth/api";
import { nextCookies } from "better-auth/next-js";
import { env } from "@/env";
import { CLIENT_ADDRESS_HEADER } from "./client-address";
import { db } from "./db";
import { log } from "./log";
import { mailer } from "./mail";
import { accountKey, FORGET_AFTER_SECONDS, waitAfterFailures } from "./sign-in-throttle";

const PASSWORD_SIGN_IN = "/sign-in/email";

async function sendVerificationMail(to: string, url: string): Promise<void> {
  if (!mailer) return;
  const sent = await mailer.send({
    to,
    subject: "Verify your e-mail for Pulseboard",
    text: `Verify this address and Pulseboard will send your alert notices here:\n\n${url}\n`,
    html: `<p>Verify this address and Pulseboard will send your alert notices here.</p><p><a href="${url.replace(/&/g, "&amp;")}">Verify it</a></p>`,
  });
  if (!sent.ok) log.warn({ reason: sent.detail }, "verification mail not sent");
}

// Keep the options that shape tables in step with packages/schema/src/schema/auth/cli-config.ts.
export const auth = betterAuth({
  database: drizzleAdapter(db, { provider: "pg", schema }),
  emailAndPassword: { enabled: true, minPasswordLength: 8 },
  // Settings → Account: the person deletes their account with their password; the database
  // deletes what it owns with the user row (foreign keys), its readings purged in the background.
  user: { deleteUser: { enabled: true } },
  // The account e-mail is where alert notices go by default, once verified: with a mail server, a
  // sign-up is sent a verification link (signing in does not wait for it), and Settings can send
  // it again.
  emailVerification: {
    sendOnSignUp: mailer !== undefined,
    autoSignInAfterVerification: true,
    sendVerificationEmail: async ({ user, url }) => {
      // Not awaited: how long a mail server takes must not tell an address apart.
      void sendVerificationMail(user.email, url);
    },
  },
  secret: env.BETTER_AUTH_SECRET,
  baseURL: env.BETTER_AUTH_URL,
  trustedOrigins: [env.BETTER_AUTH_URL, ...env.TRUSTED_ORIGINS].map((url) => new URL(url).origin),
  // On in every environment (Better Auth turns it off outside production by default): sign-in
  // and sign-up keep Better Auth's stricter per-path rules (3 per 10 s per client address).
  rateLimit: { enabled: true, window: 60, max: env.AUTH_RATE_LIMIT_MAX },
  advanced: {
    // Cookies follow the scheme the app is served on: `__Secure-` cookies are dropped by browsers
    // over plain http, which would make a production build on http://localhost unusable.
    useSecureCookies: new URL(env.BETTER_AUTH_URL).protocol === "https:",
    // The client address only from our server (server.ts), never a header a client wrote.
    ipAddress: { ipAddressHeaders: [CLIENT_ADDRESS_HEADER] },
  },
  // Wrong passwords also slow the account itself down, whatever address they come from
  // (lib/sign-in-throttle.ts), counted in the database for every instance.
  hooks: {
    before: createAuthMiddleware(async (ctx) => {
      const email = ctx.path === PASSWORD_SIGN_IN ? accountKey(ctx.body?.email) : undefined;
      if (!email) return;
      const attempt = await claimSignInAttempt(db, email, new Date(), waitAfterFailures);
      if (attempt.allowed) return;
      throw new APIError(
        "TOO_MANY_REQUESTS",
        {
          code: "TOO_MANY_FAILED_SIGN_INS",
          message: `Too many wrong passwords for this account. Try again in ${attempt.retryAfterSeconds} s.`,
        },
        { "Retry-After": String(attempt.retryAfterSeconds) },
      );
    }),
    after: createAuthMiddleware(async (ctx) => {
      const email = ctx.path === PASSWORD_SIGN_IN ? accountKey(ctx.body?.email) : undefined;
      if (!email) return;
      const returned = ctx.context.returned;
      if (!isAPIError(returned)) await clearFailedSignIns(db, email);
      else if (returned.statusCode === 401)
        await recordFailedSignIn(db, email, new Date(), waitAfterFailures, FORGET_AFTER_SECONDS);
    }),
  },
  // nextCookies() last: it sets cookies from server actions.
  plugins: [nextCookies()],
});

export type AuthSession = typeof auth.$Infer.Session;
