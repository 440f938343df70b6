// Small HTTP plumbing for the workers (ingest, alerter): JSON answers, a bounded body reader, a
// listen that turns a taken port into one clear line, and graceful shutdown around a worker's app.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Server as NetServer } from "node:net";
import closeWithGrace from "close-with-grace";
import { errorMessage } from "./errors";
import { flushLogger, type Logger } from "./logger";
import { type PortClaim, PortInUseError } from "./ports";

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(payload),
    ...headers,
  });
  res.end(payload);
}

/** The request's path without its query string. */
export function pathOf(req: IncomingMessage): string {
  return new URL(req.url ?? "/", "http://localhost").pathname;
}

/** A request body over the reader's limit (declared or sent). */
export class BodyTooLargeError extends Error {
  override name = "BodyTooLargeError";
  constructor(readonly limit: number) {
    super(`body over ${limit} bytes`);
  }
}

/**
 * Reads a request's whole body, at most `limit` bytes. Over the limit (a declared Content-Length
 * or what arrives) it rejects with BodyTooLargeError and drains the rest unread, so the caller
 * can still answer (with `connection: close`).
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > limit) return reject(new BodyTooLargeError(limit));
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners("data");
        req.resume();
        reject(new BodyTooLargeError(limit));
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/**
 * Listens on the claimed port (an HTTP server or any net server, e.g. an MQTT broker's); a taken
 * port rejects with PortInUseError (one clear line).
 */
export function listen(server: Server | NetServer, claim: PortClaim): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off("listening", onListening);
      reject(error.code === "EADDRINUSE" ? new PortInUseError(claim) : error);
    };
    const onListening = () => {
      server.off("error", onError);
      resolve();
    };
    server.once("error", onError);
    server.once("listening", onListening);
    server.listen(claim.port, claim.host ?? "0.0.0.0");
  });
}

export interface MetricsText {
  contentType: string;
  text: string;
}

export interface WorkerApp {
  server: Server;
  /** The app's Prometheus metrics, for a metrics port of its own (RunWorkerOptions.metrics). */
  renderMetrics?(): Promise<MetricsText>;
  /** Starts what listens besides the HTTP server (e.g. an MQTT broker), after it. */
  start?(): Promise<void>;
  /** Stops intake, drains in-flight work and releases the app's resources (not the pool). */
  close(): Promise<void>;
}

export interface RunWorkerOptions {
  log: Logger;
  claim: PortClaim;
  app: WorkerApp;
  /** Closes what the process owns after the app: the database pool. */
  release: () => Promise<void>;
  /**
   * A port of its own for GET /metrics (METRICS_PORT), so the app's public port need not expose
   * them; the app then leaves /metrics off its own server.
   */
  metrics?: PortClaim | undefined;
  /** Milliseconds allowed for a graceful shutdown before exiting anyway. */
  graceMs?: number;
}

/**
 * Listens, then on SIGINT/SIGTERM (or a fatal error) shuts down in order: stop intake and drain,
 * close the pool, flush logs. A taken port exits 1 with one line.
 */
export async function runWorker({
  log,
  claim,
  app,
  release,
  metrics,
  graceMs = 10_000,
}: RunWorkerOptions): Promise<void> {
  const render = app.renderMetrics?.bind(app);
  const metricsServer =
    metrics && render
      ? createServer((req, res) => {
          if (!handleMetrics(req, res, render)) sendJson(res, 404, { error: "not found" });
        })
      : undefined;
  try {
    await listen(app.server, claim);
    if (metricsServer && metrics) await listen(metricsServer, metrics);
    await app.start?.();
  } catch (error) {
    // A taken port, an unreachable broker: one line, then out.
    process.stderr.write(`${log.bindings().name ?? "pulseboard"}: ${errorMessage(error)}\n`);
    await app.close().catch(() => {});
    if (metricsServer) await closeServer(metricsServer).catch(() => {});
    await release();
    process.exit(1);
  }
  log.info({ port: claim.port }, `${claim.label} listening`);
  if (metricsServer && metrics) log.info({ port: metrics.port }, `${metrics.label} listening`);
  closeWithGrace({ delay: graceMs }, async ({ signal, err }) => {
    if (err) log.error({ err }, "shutting down after an error");
    else log.info({ signal }, "shutting down");
    await app.close();
    if (metricsServer) await closeServer(metricsServer);
    await release();
    log.info("stopped");
    await flushLogger(log);
  });
}

/** Closes an HTTP server: no new connections, idle keep-alive sockets dropped, in-flight finished. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!server.listening) return resolve();
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeIdleConnections();
  });
}

/**
 * Answers `GET /healthz` (the process is up) and `GET /readyz` (its dependencies answer: 503
 * with Retry-After when not). Returns false for any other request.
 */
export function handleHealth(
  req: IncomingMessage,
  res: ServerResponse,
  { ready, log }: { ready: () => Promise<unknown>; log: Logger },
): boolean {
  if (req.method !== "GET") return false;
  const path = pathOf(req);
  if (path === "/healthz") {
    sendJson(res, 200, { status: "ok" });
    return true;
  }
  if (path === "/readyz") {
    ready().then(
      () => sendJson(res, 200, { status: "ready" }),
      (err: unknown) => {
        log.warn({ err }, "not ready");
        sendJson(res, 503, { status: "unavailable", error: "database unreachable" }, { "retry-after": "5" });
      },
    );
    return true;
  }
  return false;
}

/** Answers `GET /metrics` with the Prometheus text `render` produces; false for other requests. */
export function handleMetrics(
  req: IncomingMessage,
  res: ServerResponse,
  render: () => Promise<MetricsText>,
): boolean {
  if (req.method !== "GET" || pathOf(req) !== "/metrics") return false;
  render().then(
    ({ contentType, text }) => {
      res.writeHead(200, { "content-type": contentType });
      res.end(text);
    },
    () => sendJson(res, 500, { error: "metrics unavailable" }),
  );
  return true;
}
