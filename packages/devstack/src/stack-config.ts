// What `pnpm start` and `pnpm db:migrate` read from the environment. Every embedded default is
// replaced by setting its variable.
import { resolve } from "node:path";
import { parseEnv, port } from "@pulseboard/runtime/env";
import { z } from "zod";
import { checkoutDataDir } from "./paths";

const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (v === "" ? undefined : v), schema.optional());
const pgUrl = z.string().regex(/^postgres(ql)?:\/\/.+/, "must be a postgres:// URL");

export const stackConfigSchema = z
  .object({
    PULSEBOARD_DATA_DIR: optional(z.string()),
    EMBEDDED_PG_PORT: port(5433),
    WEB_PORT: port(3000),
    INGEST_PORT: port(3001),
    ALERTER_PORT: port(3002),
    MQTT_PORT: port(1883),
    MQTT_WS_PORT: port(8083),
    MQTT_URL: optional(z.string().regex(/^(mqtts?|wss?|tcp):\/\/.+/, "must be an mqtt:// or ws:// URL")),
    DATABASE_URL: optional(pgUrl),
    DATABASE_URL_DIRECT: optional(pgUrl),
    /** The mail server the apps send through; unset, a local sink on SMTP_SINK_PORT keeps every mail. */
    SMTP_URL: optional(z.string().regex(/^smtps?:\/\/.+/, "must be an smtp:// or smtps:// URL")),
    SMTP_SINK_PORT: port(2525),
    DEMO_EMAIL: z.email().default("demo@pulseboard.local"),
    DEMO_PASSWORD: z.string().min(8).default("pulseboard-demo"),
    /** The demo devices' simulator: on unless SIMULATE=0. */
    SIMULATE: z
      .enum(["0", "1", "false", "true"])
      .default("1")
      .transform((v) => v === "1" || v === "true"),
  })
  .superRefine((env, ctx) => {
    if (env.DATABASE_URL_DIRECT && !env.DATABASE_URL) {
      ctx.addIssue({
        code: "custom",
        path: ["DATABASE_URL"],
        message: "is required when DATABASE_URL_DIRECT is set (the pooled endpoint the apps use)",
      });
    }
  })
  .transform(({ PULSEBOARD_DATA_DIR, ...rest }) => ({
    ...rest,
    dataDir: resolve(PULSEBOARD_DATA_DIR ?? checkoutDataDir()),
  }));

export type StackConfig = z.output<typeof stackConfigSchema>;

export function stackConfig(source: Record<string, string | undefined>): StackConfig {
  return parseEnv("pulseboard", stackConfigSchema, source);
}
