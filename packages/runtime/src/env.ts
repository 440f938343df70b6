// Environment validation shared by every app's env.ts: one zod schema per app, parsed once at
// boot; anything missing or malformed stops the process with one clear line.
import { z } from "zod";
import { DEFAULT_MINUTE_RETENTION_DAYS, DEFAULT_RAW_RETENTION_DAYS } from "./retention";

export class EnvError extends Error {
  override name = "EnvError";
}

/** One line naming every bad variable and why, e.g. `DATABASE_URL is required (...)`. */
export function formatEnvIssues(app: string, error: z.ZodError): string {
  const parts = error.issues.map((issue) => {
    const variable = issue.path.join(".") || "(environment)";
    return `${variable} ${issue.message}`;
  });
  return `${app}: invalid environment: ${parts.join("; ")}`;
}

/** Parses `source` with `schema`; throws an EnvError carrying the one-line message. */
export function parseEnv<T extends z.ZodType>(
  app: string,
  schema: T,
  source: Record<string, string | undefined>,
) {
  const result = schema.safeParse(source);
  if (!result.success) throw new EnvError(formatEnvIssues(app, result.error));
  return result.data as z.output<T>;
}

/**
 * For an app's env.ts: parse `process.env` at boot; on failure print the one line and exit 1
 * before anything else starts (no stack trace: the line is the whole story).
 */
export function loadEnv<T extends z.ZodType>(
  app: string,
  schema: T,
  source: Record<string, string | undefined> = process.env,
): z.output<T> {
  try {
    return parseEnv(app, schema, source);
  } catch (error) {
    if (!(error instanceof EnvError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}

const present = (v: unknown) => v !== undefined && v !== "";

/** A required string variable; `what` says what it is, for the error line. */
export function required(what: string) {
  return z.preprocess(
    (v) => (v === "" ? undefined : v),
    z.string({
      error: (iss) => (iss.input === undefined ? `is required (${what})` : `must be text (${what})`),
    }),
  );
}

/** A PostgreSQL connection URL. */
export function postgresUrl(what: string) {
  return required(what).refine((v) => /^postgres(ql)?:\/\/.+/.test(v), {
    message: `must be a postgres:// URL (${what})`,
  });
}

/** A TCP port with a default. */
export function port(defaultPort: number) {
  return z.preprocess(
    (v) => (present(v) ? v : undefined),
    z.coerce
      .number({ error: "must be a port number" })
      .int("must be a port number")
      .min(0, "must be a port number (0-65535)")
      .max(65535, "must be a port number (0-65535)")
      .default(defaultPort),
  );
}

/** An optional TCP port: unset (or empty) means none. */
export function optionalPort() {
  return z.preprocess(
    (v) => (present(v) ? v : undefined),
    z.coerce
      .number({ error: "must be a port number" })
      .int("must be a port number")
      .min(1, "must be a port number (1-65535)")
      .max(65535, "must be a port number (1-65535)")
      .optional(),
  );
}

/**
 * METRICS_PORT: serve /metrics on this port only (keep it off the published one); unset, it is
 * served on the app's own port.
 */
export const metricsEnv = { METRICS_PORT: optionalPort() };

/** An optional variable: unset or empty (blank) is absent, anything else must pass `schema`. */
export function optional<T extends z.ZodType>(schema: T) {
  return z.preprocess((v) => (typeof v === "string" && v.trim() === "" ? undefined : v), schema.optional());
}

/** An optional text variable; empty counts as unset. */
export const optionalText = optional(z.string());

/** A whole number from 1 to `max`, with a default. */
export function positiveInt(fallback: number, max: number) {
  return z.preprocess(
    (v) => (present(v) ? v : undefined),
    z.coerce
      .number()
      .int("must be a whole number")
      .min(1, "must be at least 1")
      .max(max, `must be at most ${max}`)
      .default(fallback),
  );
}

/** An on/off variable: `1`/`true` or `0`/`false`; unset or empty is `fallback`. */
export function booleanFlag(fallback: boolean) {
  return z.preprocess(
    (v) => (present(v) ? v : undefined),
    z
      .enum(["0", "1", "false", "true"], { error: "must be 1, 0, true or false" })
      .optional()
      .transform((v) => (v === undefined ? fallback : v === "1" || v === "true")),
  );
}

export const nodeEnv = z.enum(["development", "production", "test"]).default("development");
export const logLevel = z
  .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"])
  .default("info");

/**
 * The two database endpoints: DATABASE_URL (pooled) is required; DATABASE_URL_DIRECT (LISTEN,
 * migrations) falls back to it when unset, as in local development.
 */
/**
 * How long each tier of readings is kept (docs/storage.md). Raw readings: at least 30 days, since
 * a rule's window reaches 30 days back; readings older than this are refused at ingest and their
 * day partitions dropped once rolled up. Minute roll-ups: dropped by the month after this.
 */
export const retentionEnv = {
  RAW_RETENTION_DAYS: z.preprocess(
    (v) => (present(v) ? v : undefined),
    z.coerce
      .number()
      .int("must be a whole number")
      .min(30, "must be at least 30 (alert rules look back up to 30 days)")
      .max(36_500, "must be at most 36500")
      .default(DEFAULT_RAW_RETENTION_DAYS),
  ),
  MINUTE_RETENTION_DAYS: positiveInt(DEFAULT_MINUTE_RETENTION_DAYS, 36_500),
};

/**
 * The minute roll-ups must outlast the raw readings: once a raw day is dropped, its minutes are
 * what charts read (and the hourly tier is rolled up from). For a schema holding both variables.
 */
export function checkRetention(
  env: { RAW_RETENTION_DAYS: number; MINUTE_RETENTION_DAYS: number },
  ctx: z.RefinementCtx,
): void {
  if (env.MINUTE_RETENTION_DAYS > env.RAW_RETENTION_DAYS) return;
  ctx.addIssue({
    code: "custom",
    path: ["MINUTE_RETENTION_DAYS"],
    message: `must be more than RAW_RETENTION_DAYS (${env.RAW_RETENTION_DAYS}): minute roll-ups are what charts read once raw days are dropped`,
  });
}

export const databaseEnv = {
  DATABASE_URL: postgresUrl("the pooled PostgreSQL endpoint, e.g. PgBouncer or Neon -pooler"),
  DATABASE_URL_DIRECT: z.preprocess(
    (v) => (present(v) ? v : undefined),
    z
      .string()
      .regex(/^postgres(ql)?:\/\/.+/, "must be a postgres:// URL (the direct PostgreSQL endpoint)")
      .optional(),
  ),
  DB_POOL_MAX: z.preprocess(
    (v) => (present(v) ? v : undefined),
    z.coerce.number().int().min(1, "must be at least 1").max(50, "must be at most 50").default(5),
  ),
};

/** Resolves the direct URL's fallback after parsing. */
export function directUrl(env: { DATABASE_URL: string; DATABASE_URL_DIRECT?: string | undefined }): string {
  return env.DATABASE_URL_DIRECT ?? env.DATABASE_URL;
}
