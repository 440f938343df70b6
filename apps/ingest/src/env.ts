import {
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

export const ingestEnvSchema = z
  .object({
    NODE_ENV: nodeEnv,
    LOG_LEVEL: logLevel,
    HOST: z.string().default("0.0.0.0"),
    INGEST_PORT: port(3001),
    ...metricsEnv,
    ...databaseEnv,
    RAW_RETENTION_DAYS: retentionEnv.RAW_RETENTION_DAYS,
    /** An external broker; unset, the ingest hosts its own (Aedes). */
    MQTT_URL: z.preprocess(
      (v) => (v === "" ? undefined : v),
      z
        .string()
        .regex(/^(mqtts?|wss?|tcp):\/\/.+/, "must be an mqtt://, mqtts://, ws:// or wss:// URL")
        .optional(),
    ),
    MQTT_PORT: port(1883),
    MQTT_WS_PORT: port(8083),
    /** External mode: the persistent-session client id prefix (one per subscriber connection). */
    MQTT_CLIENT_ID: z.string().min(1).default("pulseboard-ingest"),
    /** External mode: subscriber connections in the shared group. */
    MQTT_SUBSCRIBERS: positiveInt(4, 64),
    /**
     * External mode: messages of one device that may wait for its rate at once (each holds a place
     * in the broker's inflight window); past it, they are stored at once.
     */
    MQTT_MAX_DELAYED_PER_DEVICE: positiveInt(20, 100_000),
    /** The largest HTTP body and MQTT payload; an MQTT packet announcing more is cut off. */
    INGEST_MAX_BODY_BYTES: positiveInt(1_048_576, 16_777_216),
    /** Built-in broker: a connection that sends no CONNECT within this is closed. */
    MQTT_CONNECT_TIMEOUT_MS: positiveInt(10_000, 600_000),
    /** Built-in broker: concurrent connections per remote address (TCP and WebSocket together). */
    MQTT_MAX_CONNECTIONS_PER_ADDRESS: positiveInt(100, 1_000_000),
    FLUSH_MAX_ROWS: positiveInt(5000, 50_000),
    FLUSH_INTERVAL_MS: positiveInt(5, 5000),
    FLUSH_MAX_IN_FLIGHT: positiveInt(2, 16),
    BUFFER_MAX_ROWS: positiveInt(100_000, 10_000_000),
    /** Messages per second a device may send (sustained), and its burst. */
    DEVICE_RATE_PER_SECOND: positiveInt(50, 100_000),
    DEVICE_RATE_BURST: positiveInt(200, 1_000_000),
    DEVICE_KEY_CACHE_MS: positiveInt(5000, 600_000),
    /** How long a message id (`mid`, Idempotency-Key) is remembered: redeliveries within it are stored once. */
    MESSAGE_ID_TTL_HOURS: positiveInt(24, 24 * 30),
    EVALUATION_INTERVAL_MS: positiveInt(50, 600_000),
    LAST_SEEN_INTERVAL_MS: positiveInt(5000, 600_000),
    /** How long the ingest remembers which metrics of a device have rules (for evaluation messages). */
    RULES_CACHE_MS: positiveInt(1000, 600_000),
    /** Where evaluation messages go: the alerter's public base URL. */
    ALERTER_URL: z.url().default("http://127.0.0.1:3002"),
    QSTASH_TOKEN: optionalText,
    QSTASH_URL: optionalText,
    QSTASH_CURRENT_SIGNING_KEY: optionalText,
    QSTASH_NEXT_SIGNING_KEY: optionalText,
  })
  .superRefine((env, ctx) => {
    // Without QStash the local queue signs evaluation messages itself, with these keys.
    if (env.NODE_ENV !== "production" || env.QSTASH_TOKEN) return;
    for (const name of ["QSTASH_CURRENT_SIGNING_KEY", "QSTASH_NEXT_SIGNING_KEY"] as const) {
      if (!env[name]) {
        ctx.addIssue({
          code: "custom",
          path: [name],
          message: "is required in production without QSTASH_TOKEN (the local queue signs with it)",
        });
      }
    }
  });

export type IngestEnv = z.output<typeof ingestEnvSchema>;

export const env: IngestEnv = loadEnv("ingest", ingestEnvSchema);
