// An ingest app in the test process: real database (the file's own), real broker and HTTP on free
// ports, a real local queue delivering evaluation messages to a real HTTP receiver.
import { createServer, type IncomingMessage, type Server } from "node:http";
import { Writable } from "node:stream";
import type { TestDatabase } from "@pulseboard/devstack/test";
import { createOwnerWithDevice } from "@pulseboard/devstack/test/fixtures";
import { createQueue } from "@pulseboard/queue";
import { createLogger } from "@pulseboard/runtime/logger";
import { findFreePort } from "@pulseboard/runtime/ports";
import { createDb, createPooledClient, type Database } from "@pulseboard/schema/client";
import mqtt, { type MqttClient } from "mqtt";
import { afterEach } from "vitest";
import { buildApp, type IngestApp, type IngestConfig } from "../src/app";

export const SIGNING_KEYS = {
  current: "sig_test_current_key_0123456789",
  next: "sig_test_next_key_0123456789",
};

export interface Evaluation {
  body: string;
  headers: IncomingMessage["headers"];
  url: string;
}

export interface RunningIngest {
  app: IngestApp;
  httpUrl: string;
  mqttUrl: string;
  wsUrl: string;
  /** Evaluation messages the alerter would have received. */
  evaluations: Evaluation[];
  evaluateUrl: string;
  logs: Record<string, unknown>[];
  close(): Promise<void>;
}

export async function startIngest(
  databaseUrl: string,
  overrides: Partial<IngestConfig> = {},
): Promise<RunningIngest> {
  const evaluations: Evaluation[] = [];
  const receiver: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      evaluations.push({ body: Buffer.concat(chunks).toString(), headers: req.headers, url: req.url ?? "" });
      res.writeHead(200).end("{}");
    });
  });
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
  const address = receiver.address();
  const alerterUrl = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;

  const logs: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _e, done) {
      for (const line of chunk.toString().split("\n").filter(Boolean)) logs.push(JSON.parse(line));
      done();
    },
  });
  const log = createLogger({ name: "ingest", level: "debug", destination });
  const db = createDb(createPooledClient(databaseUrl, { max: 4 }));
  const queue = createQueue(
    { currentSigningKey: SIGNING_KEYS.current, nextSigningKey: SIGNING_KEYS.next, retryBaseMs: 5 },
    log,
  );
  const httpPort = await findFreePort();
  const config: IngestConfig = {
    HOST: "127.0.0.1",
    MQTT_URL: undefined,
    MQTT_PORT: await findFreePort(),
    MQTT_WS_PORT: await findFreePort(),
    MQTT_CLIENT_ID: `ingest-test-${httpPort}`,
    MQTT_SUBSCRIBERS: 2,
    MQTT_MAX_DELAYED_PER_DEVICE: 20,
    INGEST_MAX_BODY_BYTES: 1_048_576,
    MQTT_CONNECT_TIMEOUT_MS: 10_000,
    MQTT_MAX_CONNECTIONS_PER_ADDRESS: 1000,
    FLUSH_MAX_ROWS: 5000,
    FLUSH_INTERVAL_MS: 10,
    FLUSH_MAX_IN_FLIGHT: 2,
    BUFFER_MAX_ROWS: 100_000,
    DEVICE_RATE_PER_SECOND: 1000,
    DEVICE_RATE_BURST: 1000,
    DEVICE_KEY_CACHE_MS: 300,
    MESSAGE_ID_TTL_HOURS: 24,
    RAW_RETENTION_DAYS: 30,
    EVALUATION_INTERVAL_MS: 100,
    LAST_SEEN_INTERVAL_MS: 1000,
    RULES_CACHE_MS: 1000,
    ALERTER_URL: alerterUrl,
    ...overrides,
  };
  const app = buildApp({ db, log, queue, config, rejectionLogIntervalMs: 200 });
  await new Promise<void>((r) => app.server.listen(httpPort, "127.0.0.1", r));
  await app.start?.();
  return {
    app,
    httpUrl: `http://127.0.0.1:${httpPort}`,
    mqttUrl: `mqtt://127.0.0.1:${config.MQTT_PORT}`,
    wsUrl: `ws://127.0.0.1:${config.MQTT_WS_PORT}`,
    evaluations,
    evaluateUrl: `${alerterUrl}/v1/evaluate`,
    logs,
    async close() {
      await app.close();
      await queue.close();
      await db.$client.end({ timeout: 5 });
      await new Promise<void>((r) => receiver.close(() => r()));
    },
  };
}

/** A user with a device; returns the device's id and its key (shown once, as provisioning would). */
/** The environment of an ingest process (src/server.ts) on free ports against `databaseUrl`. */
export async function ingestProcessEnv(
  databaseUrl: string,
  extra: NodeJS.ProcessEnv = {},
): Promise<NodeJS.ProcessEnv> {
  return {
    PATH: process.env.PATH,
    HOST: "127.0.0.1",
    DATABASE_URL: databaseUrl,
    INGEST_PORT: String(await findFreePort()),
    MQTT_PORT: String(await findFreePort()),
    MQTT_WS_PORT: String(await findFreePort()),
    QSTASH_CURRENT_SIGNING_KEY: SIGNING_KEYS.current,
    QSTASH_NEXT_SIGNING_KEY: SIGNING_KEYS.next,
    DEVICE_RATE_PER_SECOND: "100000",
    DEVICE_RATE_BURST: "100000",
    ...extra,
  };
}

export async function provisionDevice(
  db: Database,
  name = "sensor",
): Promise<{ deviceId: string; ownerId: string; key: string }> {
  const { deviceId, ownerId, deviceKey } = await createOwnerWithDevice(db, crypto.randomUUID(), name);
  return { deviceId, ownerId, key: deviceKey };
}

export async function countReadings(database: TestDatabase, deviceId: string): Promise<number> {
  const [row] = await database.sql<
    { n: number }[]
  >`select count(*)::int as n from sensor_readings where device_id = ${deviceId}`;
  return row?.n ?? 0;
}

export async function until<T>(
  probe: () => Promise<T>,
  accept: (v: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${timeoutMs}ms (last: ${JSON.stringify(value)})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * MQTT clients playing devices for a test file: `connect(url, options)` with no reconnecting;
 * every client is ended after each test.
 */
export function useMqttClients(): (url: string, options?: mqtt.IClientOptions) => Promise<MqttClient> {
  const clients: MqttClient[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
  });
  return async (url, options = {}) => {
    const client = await mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 5000, ...options });
    clients.push(client);
    return client;
  };
}

/** Resolves true when the broker closes `client`'s connection within `timeoutMs`, else false. */
export function closed(client: MqttClient, timeoutMs = 3000): Promise<boolean> {
  return new Promise((resolve) => {
    if (!client.connected) return resolve(true);
    const timer = setTimeout(() => resolve(false), timeoutMs);
    client.once("close", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}
