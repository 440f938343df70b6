import { databaseEnv, loadEnv, logLevel, nodeEnv, port } from "@pulseboard/runtime/env";
import { z } from "zod";

const signingKey = z.preprocess((v) => (v === "" ? undefined : v), z.string().min(16).optional());

export const alerterEnvSchema = z
  .object({
    NODE_ENV: nodeEnv,
    LOG_LEVEL: logLevel,
    HOST: z.string().default("0.0.0.0"),
    ALERTER_PORT: port(3002),
    ...databaseEnv,
    QSTASH_TOKEN: z.string().optional(),
    QSTASH_CURRENT_SIGNING_KEY: signingKey,
    QSTASH_NEXT_SIGNING_KEY: signingKey,
  })
  .superRefine((env, ctx) => {
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
  });

export type AlerterEnv = z.output<typeof alerterEnvSchema>;

export const env: AlerterEnv = loadEnv("alerter", alerterEnvSchema);
