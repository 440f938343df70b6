import "server-only";
import * as schema from "@pulseboard/schema";
import { betterAuth } from "better-auth";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import { nextCookies } from "better-auth/next-js";
import { env } from "@/env";
import { db } from "./db";

// Keep the options that shape tables in step with packages/schema/src/schema/auth/cli-config.ts.
export const auth = betterAuth({
  database: drizzleAdapter(db, { provider: "pg", schema }),
  emailAndPassword: { enabled: true, minPasswordLength: 8 },
  secret: env.BETTER_AUTH_SECRET,
  baseURL: env.BETTER_AUTH_URL,
  trustedOrigins: [env.BETTER_AUTH_URL, ...env.TRUSTED_ORIGINS].map((url) => new URL(url).origin),
  // On in every environment (Better Auth turns it off outside production by default): sign-in
  // and sign-up keep Better Auth's stricter per-path rules (3 per 10 s per client address).
  rateLimit: { enabled: true, window: 60, max: env.AUTH_RATE_LIMIT_MAX },
  // Cookies follow the scheme the app is served on: `__Secure-` cookies are dropped by browsers
  // over plain http, which would make a production build on http://localhost unusable.
  advanced: { useSecureCookies: new URL(env.BETTER_AUTH_URL).protocol === "https:" },
  // nextCookies() last: it sets cookies from server actions.
  plugins: [nextCookies()],
});

export type AuthSession = typeof auth.$Infer.Session;
