import { defineConfig } from "drizzle-kit";

// Only `drizzle-kit generate` uses this (it needs no database). Migrations are applied by
// `pnpm db:migrate` over the direct endpoint; never `push` in shared paths.
export default defineConfig({
  dialect: "postgresql",
  schema: "./src/index.ts",
  out: "../../drizzle",
  casing: undefined,
  strict: true,
});
