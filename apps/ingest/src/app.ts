// The ingest worker as an app factory: server.ts around it listens and handles signals.
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import {
  closeServer,
  handleHealth,
  handleMetrics,
  pathOf,
  sendJson,
  type WorkerApp,
} from "@pulseboard/runtime/http";
import type { Logger } from "@pulseboard/runtime/logger";
import type { Database } from "@pulseboard/schema/client";
import { pruneMessageIds } from "@pulseboard/schema/queries/readings";
import { AfterCommit, type EvaluationQueue } from "./after-commit";
import { type BuiltInBroker, startBuiltInBroker } from "./broker";
import { DeviceKeyResolver } from "./device-keys";
import type { IngestEnv } from "./env";
import { type ExternalSubscribers, startExternalSubscribers } from "./external";
import { handleReadings } from "./http-readings";
import { Intake, RejectionLog } from "./intake";
import { createMetrics } from "./metrics";
import { PartitionKeeper } from "./partitions";
import { RateLimiter } from "./rate-limit";
import { RejectionStore } from "./rejection-store";
import { ReadingWriter } from "./writer";

export type IngestConfig = Pick<
  IngestEnv,
  | "HOST"
  | "MQTT_URL"
  | "MQTT_PORT"
  | "MQTT_WS_PORT"
  | "MQTT_CLIENT_ID"
  | "MQTT_SUBSCRIBERS"
  | "MQTT_MAX_DELAYED_PER_DEVICE"
  | "INGEST_MAX_BODY_BYTES"
  | "MQTT_CONNECT_TIMEOUT_MS"
  | "MQTT_MAX_CONNECTIONS_PER_ADDRESS"
  | "FLUSH_MAX_ROWS"
  | "FLUSH_INTERVAL_MS"
  | "FLUSH_MAX_IN_FLIGHT"
  | "BUFFER_MAX_ROWS"
  | "DEVICE_RATE_PER_SECOND"
  | "DEVICE_RATE_BURST"
  | "DEVICE_KEY_CACHE_MS"
  | "EVALUATION_INTERVAL_MS"
  | "LAST_SEEN_INTERVAL_MS"
  | "RULES_CACHE_MS"
  | "ALERTER_URL"
  | "METRICS_PORT"
  | "MESSAGE_ID_TTL_HOURS"
  | "RAW_RETENTION_DAYS"
>;

export interface IngestDeps {
  /** The pooled database (Drizzle, the raw client at `db.$client`). */
  db: Database;
  log: Logger;
  queue: EvaluationQueue;
  config: IngestConfig;
  /** How often rejections are logged and known devices' counts written (per device, with counts). */
  rejectionLogIntervalMs?: number;
}

export interface IngestApp extends WorkerApp {
  intake: Intake;
  writer: ReadingWriter;
  resolver: DeviceKeyResolver;
  metrics: ReturnType<typeof createMetrics>;
  rejectionStore: RejectionStore;
}

export function buildApp({ db, log, queue, config, rejectionLogIntervalMs = 10_000 }: IngestDeps): IngestApp {
  const metrics = createMetrics();
  const renderMetrics = async () => ({
    contentType: metrics.registry.contentType,
    text: await metrics.registry.metrics(),
  });
  const httpLog = log.child({ module: "http" });
  const afterCommit = new AfterCommit({
    db,
    log: log.child({ module: "after-commit" }),
    metrics,
    queue,
    evaluateUrl: new URL("/v1/evaluate", config.ALERTER_URL).toString(),
    workerId: randomUUID().slice(0, 8),
    evaluationIntervalMs: config.EVALUATION_INTERVAL_MS,
    lastSeenIntervalMs: config.LAST_SEEN_INTERVAL_MS,
    rulesCacheMs: config.RULES_CACHE_MS,
    ownerOf: (deviceId) => intake.ownerOf(deviceId),
  });
  const partitions = new PartitionKeeper(db, log.child({ module: "partitions" }), config.RAW_RETENTION_DAYS);
  const writer = new ReadingWriter({
    db,
    log: log.child({ module: "writer" }),
    metrics,
    maxRows: config.FLUSH_MAX_ROWS,
    intervalMs: config.FLUSH_INTERVAL_MS,
    maxInFlight: config.FLUSH_MAX_IN_FLIGHT,
    maxBufferedRows: config.BUFFER_MAX_ROWS,
    messageIdTtlSeconds: config.MESSAGE_ID_TTL_HOURS * 3600,
    onCommitted: (rows) => afterCommit.committed(rows),
    onMissingPartition: (rows) => partitions.forRows(rows),
  });
  const resolver = new DeviceKeyResolver(db, { ttlMs: config.DEVICE_KEY_CACHE_MS });
  const limiter = new RateLimiter(config.DEVICE_RATE_PER_SECOND, config.DEVICE_RATE_BURST);
  const rejections = new RejectionLog(log.child({ module: "rejections" }));
  const rejectionStore = new RejectionStore({ db, log: log.child({ module: "rejections" }) });
  const intake = new Intake({
    resolver,
    writer,
    metrics,
    limiter,
    rejections,
    store: rejectionStore,
    rawRetentionDays: config.RAW_RETENTION_DAYS,
  });
  const housekeeping = setInterval(() => {
    rejections.flush();
    void rejectionStore.flush();
    limiter.sweep();
  }, rejectionLogIntervalMs);
  // Message ids past their TTL are forgotten every 10 minutes, by every worker (a repeat delete
  // finds nothing); one that is missed is still treated as absent once it is past the TTL.
  const messageIdPrune = setInterval(() => {
    pruneMessageIds(db, config.MESSAGE_ID_TTL_HOURS * 3600).catch((err: unknown) =>
      log.warn({ err }, "could not prune old message ids; retrying in 10 minutes"),
    );
  }, 10 * 60_000);

  let broker: BuiltInBroker | undefined;
  let subscribers: ExternalSubscribers | undefined;
  let accepting = true;

  const server = createServer((req, res) => {
    const path = pathOf(req);
    if (
      handleHealth(req, res, {
        log: httpLog,
        ready: async () => {
          await db.$client`select 1`;
          if (!(broker?.listening || subscribers?.ready)) throw new Error("MQTT is not listening");
        },
      })
    ) {
      return;
    }
    // With a metrics port of its own (runWorker serves it), /metrics stays off this public one.
    if (!config.METRICS_PORT && handleMetrics(req, res, renderMetrics)) return;
    if (path === "/v1/readings") {
      if (req.method !== "POST") return sendJson(res, 405, { error: "use POST" }, { allow: "POST" });
      if (!accepting) return sendJson(res, 503, { error: "shutting down" }, { "retry-after": "5" });
      handleReadings(req, res, intake, config.INGEST_MAX_BODY_BYTES).catch((err: unknown) => {
        httpLog.error({ err }, "readings request failed");
        if (!res.headersSent) sendJson(res, 500, { error: "internal error" });
      });
      return;
    }
    sendJson(res, 404, { error: "not found" });
  });

  return {
    server,
    renderMetrics,
    intake,
    writer,
    resolver,
    metrics,
    rejectionStore,
    async start() {
      await partitions.start();
      if (config.MQTT_URL) {
        subscribers = await startExternalSubscribers({
          url: config.MQTT_URL,
          clientIdPrefix: config.MQTT_CLIENT_ID,
          connections: config.MQTT_SUBSCRIBERS,
          maxDelayedPerDevice: config.MQTT_MAX_DELAYED_PER_DEVICE,
          intake,
          log,
          metrics,
        });
      } else {
        broker = await startBuiltInBroker({
          intake,
          log,
          metrics,
          tcp: { port: config.MQTT_PORT, host: config.HOST, label: "MQTT", variable: "MQTT_PORT" },
          ws: {
            port: config.MQTT_WS_PORT,
            host: config.HOST,
            label: "MQTT over WebSocket",
            variable: "MQTT_WS_PORT",
          },
          maxBodyBytes: config.INGEST_MAX_BODY_BYTES,
          connectTimeoutMs: config.MQTT_CONNECT_TIMEOUT_MS,
          maxConnectionsPerAddress: config.MQTT_MAX_CONNECTIONS_PER_ADDRESS,
          // Connected clients' keys are checked as often as a key lookup is cached.
          keyRecheckMs: config.DEVICE_KEY_CACHE_MS,
        });
      }
    },
    /** Stop intake, write what was accepted, acknowledge it, then let go of everything. */
    async close() {
      accepting = false;
      broker?.stopAccepting();
      subscribers?.stopAccepting();
      const httpClosed = closeServer(server);
      await writer.close();
      await Promise.all([broker?.close(), subscribers?.close(), httpClosed]);
      await afterCommit.close();
      clearInterval(housekeeping);
      clearInterval(messageIdPrune);
      partitions.stop();
      rejections.flush();
      // Counts not written within a few seconds (database down) are lost with the process.
      await Promise.race([rejectionStore.close(), new Promise((r) => setTimeout(r, 3000).unref())]);
    },
  };
}
