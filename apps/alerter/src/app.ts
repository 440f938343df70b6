// The alerter as an app factory: HTTP endpoints that QStash (or the local queue, which signs the
// same way) calls. Every /v1 request must carry a valid Upstash-Signature for its public URL.
import { createServer, type IncomingMessage } from "node:http";
import type { Queue } from "@pulseboard/queue";
import {
  closeServer,
  handleHealth,
  handleMetrics,
  pathOf,
  sendJson,
  type WorkerApp,
} from "@pulseboard/runtime/http";
import type { Logger } from "@pulseboard/runtime/logger";
import type { SqlClient } from "@pulseboard/schema/client";
import { rollUpClosedMinutes } from "@pulseboard/schema/queries/rollups";
import { Receiver } from "@upstash/qstash";
import { z } from "zod";
import type { AlerterEnv } from "./env";
import { devicesWithRules, evaluateDevices, markSilence, type Transition } from "./evaluate";
import { createMetrics } from "./metrics";
import { deliverEvent, RetryableDeliveryError, undeliveredEvents } from "./webhook";

export type AlerterConfig = Pick<
  AlerterEnv,
  | "ALERTER_PUBLIC_URL"
  | "QSTASH_TOKEN"
  | "QSTASH_CURRENT_SIGNING_KEY"
  | "QSTASH_NEXT_SIGNING_KEY"
  | "SIGNATURE_CLOCK_TOLERANCE_S"
  | "SWEEP_INTERVAL_MS"
  | "WEBHOOK_MAX_ATTEMPTS"
  | "WEBHOOK_TIMEOUT_MS"
>;

export interface AlerterDeps {
  sql: SqlClient;
  log: Logger;
  queue: Queue;
  config: AlerterConfig;
}

const evaluateBody = z.strictObject({ deviceIds: z.array(z.uuid()).min(1).max(1000) });
const deliverBody = z.strictObject({ eventId: z.uuid() });
const MAX_BODY_BYTES = 256 * 1024;

class BadRequest extends Error {}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.destroy();
        reject(new BadRequest("body too large"));
      } else {
        chunks.push(chunk);
      }
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

export interface AlerterApp extends WorkerApp {
  metrics: ReturnType<typeof createMetrics>;
  /** Evaluates every rule and re-delivers what the outbox holds (what /v1/sweep does). */
  sweep(redeliverOlderThanSeconds?: number): Promise<{ transitions: number; redelivered: number }>;
}

export function buildApp({ sql, log, queue, config }: AlerterDeps): AlerterApp {
  const metrics = createMetrics();
  const httpLog = log.child({ module: "http" });
  const evalLog = log.child({ module: "evaluate" });
  const webhookLog = log.child({ module: "webhook" });
  const rollupLog = log.child({ module: "rollup" });
  const receiver = new Receiver({
    currentSigningKey: config.QSTASH_CURRENT_SIGNING_KEY,
    nextSigningKey: config.QSTASH_NEXT_SIGNING_KEY,
  });
  const renderMetrics = async () => ({
    contentType: metrics.registry.contentType,
    text: await metrics.registry.metrics(),
  });
  const publicUrl = (path: string) => new URL(path, config.ALERTER_PUBLIC_URL).toString();

  /** Hands each new event to the queue for webhook delivery (retried there). */
  async function enqueueDeliveries(eventIds: string[], generation: string): Promise<void> {
    await Promise.all(
      eventIds.map((eventId) =>
        queue
          .publishJSON({
            url: publicUrl("/v1/deliver"),
            body: { eventId },
            deduplicationId: `deliver-${eventId}-${generation}`,
            retries: config.WEBHOOK_MAX_ATTEMPTS - 1,
          })
          .catch((err: unknown) =>
            webhookLog.warn({ err, eventId }, "could not enqueue delivery; the outbox sweep will"),
          ),
      ),
    );
  }

  function recorded(transitions: Transition[]): void {
    for (const t of transitions) {
      metrics.transitions.inc({ kind: t.kind });
      evalLog.info(
        { ruleId: t.ruleId, deviceId: t.deviceId, alertId: t.alertId, value: t.value },
        `alert ${t.kind}`,
      );
    }
  }

  async function sweep(redeliverOlderThanSeconds = 120) {
    // Charts read stored one-minute rollups: each sweep adds the minutes that closed since the
    // last, alongside the rule evaluation (its own connection; it does not hold the rules up).
    // A failure is logged; the next sweep takes what this one left.
    const rollUp = (async () => {
      try {
        const began = performance.now();
        const rolled = { ...(await rollUpClosedMinutes(sql)), ms: Math.round(performance.now() - began) };
        if (rolled.readings > 0) rollupLog.info(rolled, "readings rolled up");
        else rollupLog.debug(rolled, "nothing to roll up");
      } catch (err) {
        rollupLog.error({ err }, "roll-up failed; the rules were evaluated anyway");
      }
    })();
    const ended = metrics.evaluationDuration.startTimer({ trigger: "sweep" });
    await markSilence(sql);
    const deviceIds = await devicesWithRules(sql);
    // Chunks keep each statement bounded; two at a time let the database use two cores.
    const chunks: string[][] = [];
    for (let i = 0; i < deviceIds.length; i += 250) chunks.push(deviceIds.slice(i, i + 250));
    const transitions: Transition[] = [];
    const worker = async () => {
      for (let chunk = chunks.shift(); chunk; chunk = chunks.shift())
        transitions.push(...(await evaluateDevices(sql, chunk)));
    };
    await Promise.all([worker(), worker()]);
    metrics.evaluations.inc({ trigger: "sweep" });
    ended();
    await rollUp;
    recorded(transitions);
    await enqueueDeliveries(
      transitions.map((t) => t.eventId),
      "0",
    );
    const pending = await undeliveredEvents(sql, redeliverOlderThanSeconds);
    await enqueueDeliveries(pending, `sweep-${Math.floor(Date.now() / 60_000)}`);
    return { transitions: transitions.length, redelivered: pending.length };
  }

  async function handle(path: string, raw: string): Promise<[number, unknown]> {
    let json: unknown;
    try {
      json = raw === "" ? {} : JSON.parse(raw);
    } catch {
      throw new BadRequest("body is not valid JSON");
    }
    if (path === "/v1/evaluate") {
      const parsed = evaluateBody.safeParse(json);
      if (!parsed.success) throw new BadRequest(z.prettifyError(parsed.error));
      const ended = metrics.evaluationDuration.startTimer({ trigger: "evaluate" });
      const transitions = await evaluateDevices(sql, parsed.data.deviceIds);
      ended();
      metrics.evaluations.inc({ trigger: "evaluate" });
      recorded(transitions);
      await enqueueDeliveries(
        transitions.map((t) => t.eventId),
        "0",
      );
      return [
        200,
        { transitions: transitions.map((t) => ({ kind: t.kind, alertId: t.alertId, ruleId: t.ruleId })) },
      ];
    }
    if (path === "/v1/sweep") return [200, await sweep()];
    if (path === "/v1/deliver") {
      const parsed = deliverBody.safeParse(json);
      if (!parsed.success) throw new BadRequest(z.prettifyError(parsed.error));
      try {
        const outcome = await deliverEvent(sql, parsed.data.eventId, {
          maxAttempts: config.WEBHOOK_MAX_ATTEMPTS,
          timeoutMs: config.WEBHOOK_TIMEOUT_MS,
        });
        if (outcome !== "not_pending") metrics.webhookDeliveries.inc({ outcome });
        if (outcome === "failed")
          webhookLog.warn({ eventId: parsed.data.eventId }, "webhook delivery given up");
        return [200, { outcome }];
      } catch (error) {
        if (!(error instanceof RetryableDeliveryError)) throw error;
        metrics.webhookDeliveries.inc({ outcome: "retry" });
        webhookLog.info(
          { eventId: parsed.data.eventId, reason: error.message },
          "webhook delivery will be retried",
        );
        // A 5xx makes QStash (or the local queue) retry with backoff.
        return [502, { error: error.message }];
      }
    }
    return [404, { error: "not found" }];
  }

  const server = createServer((req, res) => {
    if (handleHealth(req, res, { log: httpLog, ready: () => sql`select 1` })) return;
    if (handleMetrics(req, res, renderMetrics)) return;
    const path = pathOf(req);
    if (req.method !== "POST" || !["/v1/evaluate", "/v1/sweep", "/v1/deliver"].includes(path)) {
      return sendJson(res, 404, { error: "not found" });
    }
    (async () => {
      const raw = await readBody(req);
      const signature = req.headers["upstash-signature"];
      // Verified on the raw body, against the configured public URL of this endpoint.
      const valid =
        typeof signature === "string" &&
        (await receiver
          .verify({
            signature,
            body: raw,
            url: publicUrl(path),
            clockTolerance: config.SIGNATURE_CLOCK_TOLERANCE_S,
          })
          .catch(() => false));
      if (!valid) {
        metrics.rejectedRequests.inc({ reason: "signature" });
        return sendJson(res, 401, { error: "invalid or missing Upstash-Signature" });
      }
      const [status, body] = await handle(path, raw);
      sendJson(res, status, body);
    })().catch((error: unknown) => {
      if (error instanceof BadRequest) {
        metrics.rejectedRequests.inc({ reason: "body" });
        // QStash retries every non-2xx except 489 with Upstash-NonRetryable-Error: a malformed
        // message will not get better.
        return sendJson(res, 489, { error: error.message }, { "upstash-nonretryable-error": "true" });
      }
      httpLog.error({ err: error, path }, "request failed");
      if (!res.headersSent) sendJson(res, 500, { error: "internal error" });
    });
  });

  // Without QStash the sweep runs on a timer, through the local queue, so it arrives signed at
  // /v1/sweep exactly as the QStash schedule's call would.
  let sweepTimer: NodeJS.Timeout | undefined;
  let bootRetry: NodeJS.Timeout | undefined;

  return {
    server,
    metrics,
    sweep,
    async start() {
      // Anything recorded but not delivered before a restart (the local queue kept it in memory).
      // The database may not be up yet: keep trying in the background rather than refuse to boot.
      const redeliverAtBoot = async (): Promise<void> => {
        try {
          const pending = await undeliveredEvents(sql, 0);
          if (pending.length > 0)
            log.info({ events: pending.length }, "re-delivering undelivered alert events");
          await enqueueDeliveries(pending, `boot-${Date.now()}`);
        } catch (err) {
          log.warn({ err }, "could not look for undelivered alert events yet; retrying");
          bootRetry = setTimeout(() => void redeliverAtBoot(), 5000);
        }
      };
      await redeliverAtBoot();
      if (!config.QSTASH_TOKEN) {
        sweepTimer = setInterval(() => {
          queue
            .publishJSON({ url: publicUrl("/v1/sweep"), body: {}, retries: 0 })
            .catch((err: unknown) => log.warn({ err }, "could not enqueue the sweep"));
        }, config.SWEEP_INTERVAL_MS);
      }
    },
    async close() {
      clearInterval(sweepTimer);
      clearTimeout(bootRetry);
      await closeServer(server);
    },
  };
}
