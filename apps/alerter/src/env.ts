import {
  booleanFlag,
  checkRetention,
  databaseEnv,
  loadEnv,
  logLevel,
  metricsEnv,
  nodeEnv,
  optionalText,
  port,
  positiveInt,
  retentionEnv,
} from "@pulseboard/runtime/env";
import { z } from "zod";

const signingKey = z.preprocess((v) => (v === "" ? undefined : v), z.string().min(16).optional());

export const alerterEnvSchema = z
  .object({
    NODE_ENV: nodeEnv,
    LOG_LEVEL: logLevel,
    HOST: z.string().default("0.0.0.0"),
    ALERTER_PORT: port(3002),
    ...metricsEnv,
    ...databaseEnv,
    ...retentionEnv,
    /**
     * The alerter's public base URL, as QStash calls it: signatures are verified against
     * `<ALERTER_PUBLIC_URL>/v1/...`, never against a URL rebuilt from request headers.
     */
    ALERTER_PUBLIC_URL: z.preprocess((v) => (v === "" ? undefined : v), z.url().optional()),
    QSTASH_TOKEN: optionalText,
    QSTASH_URL: optionalText,
    QSTASH_CURRENT_SIGNING_KEY: signingKey,
    QSTASH_NEXT_SIGNING_KEY: signingKey,
    /** Seconds of clock skew tolerated when checking a signature's exp/nbf. */
    SIGNATURE_CLOCK_TOLERANCE_S: positiveInt(5, 300),
    /** Without QStash: how often the local timer asks for a sweep. */
    SWEEP_INTERVAL_MS: positiveInt(30_000, 3_600_000),
    /** The QStash cron for /v1/sweep (`pnpm alerter:schedule`). */
    SWEEP_CRON: z.string().default("* * * * *"),
    WEBHOOK_MAX_ATTEMPTS: positiveInt(5, 20),
    WEBHOOK_TIMEOUT_MS: positiveInt(10_000, 60_000),
    /**
     * `1`: webhooks may go to loopback, private and link-local addresses (a self-hoster's LAN
     * receiver). Off, only global unicast addresses are reached (SSRF guard).
     */
    WEBHOOK_ALLOW_PRIVATE: booleanFlag(false),
    /** The dashboard's public URL: notices link to the alert's page there. */
    APP_URL: z.url().default("http://localhost:3000"),
    /**
     * The mail server e-mail notices go through (`smtp://host:port`, `smtps://user:pass@host`).
     * Unset: e-mail deliveries are recorded as skipped (`pnpm start` runs a local sink).
     */
    SMTP_URL: optionalText,
    MAIL_FROM: z.string().default("Pulseboard <alerts@pulseboard.localhost>"),
    /** Local queue: the unit of QStash's retry backoff (tests shorten it). */
    QUEUE_RETRY_BASE_MS: positiveInt(1000, 60_000),
  })
  .superRefine((env, ctx) => {
    checkRetention(env, ctx);
    // Every request to the alerter is verified against these keys; in production there is no
    // default to fall back on (locally, `pnpm start` generates and passes them).
    if (env.NODE_ENV !== "production") return;
    for (const name of ["QSTASH_CURRENT_SIGNING_KEY", "QSTASH_NEXT_SIGNING_KEY"] as const) {
      if (!env[name]) {
        ctx.addIssue({
          code: "custom",
          path: [name],
          message: "is required in production (QStash signing key)",
        });
      }
    }
    if (!env.ALERTER_PUBLIC_URL) {
      ctx.addIssue({
        code: "custom",
        path: ["ALERTER_PUBLIC_URL"],
        message: "is required in production (the URL QStash calls; signatures are bound to it)",
      });
    }
  })
  .transform((env) => ({
    ...env,
    ALERTER_PUBLIC_URL: env.ALERTER_PUBLIC_URL ?? `http://127.0.0.1:${env.ALERTER_PORT}`,
    QSTASH_CURRENT_SIGNING_KEY: env.QSTASH_CURRENT_SIGNING_KEY ?? "local-development-current-key",
    QSTASH_NEXT_SIGNING_KEY: env.QSTASH_NEXT_SIGNING_KEY ?? "local-development-next-key",
  }));

export type AlerterEnv = z.output<typeof alerterEnvSchema>;

/** `pnpm alerter:schedule`: what creating the QStash sweep schedule needs. */
export const scheduleEnvSchema = z.object({
  QSTASH_TOKEN: z.preprocess(
    (v) => (v === "" ? undefined : v),
    z.string({
      error: (i) => (i.input === undefined ? "is required (the schedule lives in QStash)" : "must be text"),
    }),
  ),
  QSTASH_URL: optionalText,
  ALERTER_PUBLIC_URL: z.preprocess(
    (v) => (v === "" ? undefined : v),
    z.url({ error: "is required: the public URL QStash will call, e.g. https://alerter.example.com" }),
  ),
  SWEEP_CRON: z.string().default("* * * * *"),
});

export const loadAlerterEnv = (): AlerterEnv => loadEnv("alerter", alerterEnvSchema);
export const loadScheduleEnv = () => loadEnv("alerter:schedule", scheduleEnvSchema);
