// CLI-only Better Auth config: `pnpm auth:generate` reads it to write ./tables.ts.
// It never runs in a process; the web app builds its real instance (with secrets) itself.
// Keep the options that shape tables (plugins, additional fields) in step with the web app's.
import { betterAuth } from "better-auth";
import { drizzleAdapter } from "better-auth/adapters/drizzle";

export const auth = betterAuth({
  // The CLI only reads the adapter's provider; no connection is opened.
  database: drizzleAdapter({}, { provider: "pg" }),
  emailAndPassword: { enabled: true },
});
