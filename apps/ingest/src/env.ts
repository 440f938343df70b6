import { databaseEnv, loadEnv, logLevel, nodeEnv, port } from "@pulseboard/runtime/env";
import { z } from "zod";

export const ingestEnvSchema = z.object({
  NODE_ENV: nodeEnv,
  LOG_LEVEL: logLevel,
  HOST: z.string().default("0.0.0.0"),
  INGEST_PORT: port(3001),
  ...databaseEnv,
});

export type IngestEnv = z.output<typeof ingestEnvSchema>;

export const env: IngestEnv = loadEnv("ingest", ingestEnvSchema);
