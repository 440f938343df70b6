// The alerter as an app factory: HTTP endpoints that QStash (or the local queue, which signs the
// same way) calls. Every /v1 request must carry a valid Upstash-Signature for its public URL; the
// endpoints themselves are in routes/, and their failures become HTTP answers here only.
import { createServer, type ServerResponse } from "node:http";
import * as http from "@pulseboard/runtime/http";
import { createMailer } from "@pulseboard/runtime/mail";
import { InvalidError } from "@pulseboard/schema/errors";
import { Receiver } from "@upstash/qstash";
import type { AlerterApp, AlerterConfig, AlerterContext, AlerterDeps } from "./context";
import { RetryableDeliveryError } from "./deliver";
import { DELIVER_PATH, queueRetried } from "./deliveries";
import { createDeliveryQueue } from "./delivery-queue";
import { Maintenance } from "./maintenance";
import { createMetrics, renderMetrics } from "./metrics";
import { RecentEvaluations } from "./recent-evaluations";
import { deliverRoute } from "./routes/deliver";
import { evaluateRoute } from "./routes/evaluate";
import type { SignedRoute } from "./routes/route";
import { sweepRoute } from "./routes/sweep";
import { SWEEP_PATH, startLocalSweepTimer, sweep } from "./sweep";

export type { AlerterApp, AlerterConfig, AlerterDeps };

const MAX_BODY_BYTES = 256 * 1024;

export function buildApp({ db, log, queue, config, direct }: AlerterDeps): AlerterApp {
  const metrics = createMetrics();
  const httpLog = log.child({ module: "http" });
  const { ALERTER_PUBLIC_URL: url, WEBHOOK_MAX_ATTEMPTS: maxAttempts } = config;
  const deliveries = createDeliveryQueue({
    db,
    queue,
    log,
    publicUrl: url,
    maxAttempts,
    // The local queue holds its messages in memory: a restart loses every chain it had.
    chainsSurviveRestart: Boolean(config.QSTASH_TOKEN),
  });
  // Each SMTP phase (connect, greeting, a silence) gets a third of an attempt's time, so a send
  // normally ends within it (deliver.ts bounds it there anyway).
  const mailer = config.SMTP_URL
    ? createMailer({
        url: config.SMTP_URL,
        from: config.MAIL_FROM,
        timeoutMs: Math.ceil(config.WEBHOOK_TIMEOUT_MS / 3),
      })
    : undefined;
  const maintenance = new Maintenance({
    db,
    direct,
    log: log.child({ module: "maintenance" }),
    rawRetentionDays: config.RAW_RETENTION_DAYS,
    minuteRetentionDays: config.MINUTE_RETENTION_DAYS,
  });
  const context: AlerterContext = {
    db,
    log,
    metrics,
    deliveries,
    mailer,
    config,
    maintenance,
    recent: new RecentEvaluations(),
  };
  const routes: Record<string, SignedRoute> = {
    "/v1/evaluate": evaluateRoute(context),
    [SWEEP_PATH]: sweepRoute(context),
    [DELIVER_PATH]: deliverRoute(context),
  };
  const { QSTASH_CURRENT_SIGNING_KEY: currentSigningKey, QSTASH_NEXT_SIGNING_KEY: nextSigningKey } = config;
  // devMode off: QSTASH_DEV in the environment would otherwise also accept the public dev keys.
  const receiver = new Receiver({ currentSigningKey, nextSigningKey, devMode: false });
  // Verified on the raw body, against the configured public URL of this endpoint.
  const signed = (signature: unknown, body: string, path: string) =>
    typeof signature === "string" &&
    receiver
      .verify({
        signature,
        body,
        url: new URL(path, url).toString(),
        clockTolerance: config.SIGNATURE_CLOCK_TOLERANCE_S,
      })
      .catch(() => false);

  function answerError(res: ServerResponse, error: unknown, path: string) {
    if (error instanceof InvalidError || error instanceof http.BodyTooLargeError) {
      metrics.rejectedRequests.inc({ reason: "body" });
      // QStash retries every non-2xx except 489 with Upstash-NonRetryable-Error: a malformed
      // message will not get better.
      const tooLarge = error instanceof http.BodyTooLargeError;
      const headers = { "upstash-nonretryable-error": "true", ...(tooLarge ? { connection: "close" } : {}) };
      return http.sendJson(res, 489, { error: tooLarge ? "body too large" : error.message }, headers);
    }
    // A 5xx makes QStash (or the local queue) retry with backoff.
    if (error instanceof RetryableDeliveryError) return http.sendJson(res, 502, { error: error.message });
    httpLog.error({ err: error, path }, "request failed");
    if (!res.headersSent) http.sendJson(res, 500, { error: "internal error" });
  }

  const server = createServer((req, res) => {
    if (http.handleHealth(req, res, { log: httpLog, ready: () => db.$client`select 1` })) return;
    // With a metrics port of its own (runWorker serves it), /metrics stays off this public one.
    if (!config.METRICS_PORT && http.handleMetrics(req, res, () => renderMetrics(metrics))) return;
    const path = http.pathOf(req);
    const route = req.method === "POST" ? routes[path] : undefined;
    if (!route) return http.sendJson(res, 404, { error: "not found" });
    (async () => {
      const raw = (await http.readBody(req, MAX_BODY_BYTES)).toString("utf8");
      if (!(await signed(req.headers["upstash-signature"], raw, path))) {
        metrics.rejectedRequests.inc({ reason: "signature" });
        return http.sendJson(res, 401, { error: "invalid or missing Upstash-Signature" });
      }
      http.sendJson(res, 200, await route(raw, { retried: queueRetried(req.headers["upstash-retried"]) }));
    })().catch((error: unknown) => answerError(res, error, path));
  });

  let stopSweepTimer: (() => void) | undefined;
  return {
    server,
    metrics,
    renderMetrics: () => renderMetrics(metrics),
    sweep: (options) => sweep(context, options),
    maintain: (now) => maintenance.run(now),
    vacuumNewReadings: () => maintenance.vacuumNewReadings(),
    async start() {
      await deliveries.redeliverAtBoot();
      // Without QStash, no cron calls /v1/sweep: a local timer asks for it through the queue.
      if (!config.QSTASH_TOKEN) {
        const intervalMs = config.SWEEP_INTERVAL_MS;
        stopSweepTimer = startLocalSweepTimer({ queue, publicUrl: url, intervalMs, log });
      }
    },
    async close() {
      stopSweepTimer?.();
      deliveries.close();
      await http.closeServer(server);
      mailer?.close();
      await maintenance.idle();
    },
  };
}
