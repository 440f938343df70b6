// An alerter app in the test process: real database, real HTTP, the real local queue (which
// signs like QStash and delivers back to this alerter), and a real webhook receiver.
import { createServer, type IncomingMessage, type Server } from "node:http";
import { Writable } from "node:stream";
import { createOwnerWithDevice } from "@pulseboard/devstack/test/fixtures";
import { createQueue, signLikeQStash } from "@pulseboard/queue";
import { createLogger } from "@pulseboard/runtime/logger";
import { findFreePort } from "@pulseboard/runtime/ports";
import { generateWebhookSecret } from "@pulseboard/runtime/standard-webhooks";
import { alertRules, notificationChannels } from "@pulseboard/schema";
import { createDb, createPooledClient, type Database, type SqlClient } from "@pulseboard/schema/client";
import type { AGGREGATES, COMPARATORS, NO_DATA_POLICIES, SEVERITIES } from "@pulseboard/schema/telemetry";
import { type AlerterApp, type AlerterConfig, buildApp } from "../src/app";

export const KEYS = { current: "sig_alerter_current_0123456789", next: "sig_alerter_next_0123456789" };

export interface WebhookCall {
  body: string;
  headers: IncomingMessage["headers"];
}

export interface WebhookReceiver {
  url: string;
  calls: WebhookCall[];
  /** Status codes to answer with, in order; 200 once they run out. */
  answers: number[];
  /** Milliseconds to wait before answering, in order; none once they run out (a slow receiver). */
  delays: number[];
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const receiver: WebhookReceiver = { url: "", calls: [], answers: [], delays: [], close: async () => {} };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      receiver.calls.push({ body: Buffer.concat(chunks).toString(), headers: req.headers });
      const status = receiver.answers.shift() ?? 200;
      setTimeout(() => res.writeHead(status).end(), receiver.delays.shift() ?? 0);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const address = server.address();
  receiver.url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/hooks/pulseboard`;
  receiver.close = () => new Promise((r) => server.close(() => r()));
  return receiver;
}

export interface RunningAlerter {
  app: AlerterApp;
  url: string;
  publicUrl: string;
  logs: Record<string, unknown>[];
  /** POSTs `body` to `path`, signed as QStash would sign it for the public URL. */
  call(
    path: string,
    body: unknown,
    options?: { key?: string; url?: string; now?: Date; raw?: string; headers?: Record<string, string> },
  ): Promise<Response>;
  close(): Promise<void>;
}

export async function startAlerter(
  databaseUrl: string,
  overrides: Partial<AlerterConfig> = {},
  /** A direct client for dropping partitions past retention; none by default (fixtures stay). */
  { direct }: { direct?: SqlClient } = {},
): Promise<RunningAlerter> {
  const port = await findFreePort();
  const logs: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _e, done) {
      for (const line of chunk.toString().split("\n").filter(Boolean)) logs.push(JSON.parse(line));
      done();
    },
  });
  const log = createLogger({ name: "alerter", level: "debug", destination });
  const db = createDb(createPooledClient(databaseUrl, { max: 4 }));
  const url = `http://127.0.0.1:${port}`;
  const config: AlerterConfig = {
    ALERTER_PUBLIC_URL: url,
    QSTASH_TOKEN: undefined,
    QSTASH_CURRENT_SIGNING_KEY: KEYS.current,
    QSTASH_NEXT_SIGNING_KEY: KEYS.next,
    SIGNATURE_CLOCK_TOLERANCE_S: 5,
    SWEEP_INTERVAL_MS: 3_600_000,
    WEBHOOK_MAX_ATTEMPTS: 3,
    WEBHOOK_TIMEOUT_MS: 2000,
    QUEUE_RETRY_BASE_MS: 2,
    // The test receivers listen on loopback.
    WEBHOOK_ALLOW_PRIVATE: true,
    RAW_RETENTION_DAYS: 30,
    MINUTE_RETENTION_DAYS: 400,
    APP_URL: "http://localhost:3000",
    SMTP_URL: undefined,
    MAIL_FROM: "Pulseboard <alerts@pulseboard.localhost>",
    ...overrides,
  };
  const queue = createQueue(
    { currentSigningKey: KEYS.current, nextSigningKey: KEYS.next, retryBaseMs: config.QUEUE_RETRY_BASE_MS },
    log,
  );
  const app = buildApp({ db, log, queue, config, ...(direct ? { direct } : {}) });
  await new Promise<void>((r) => app.server.listen(port, "127.0.0.1", r));
  await app.start?.();
  return {
    app,
    url,
    publicUrl: config.ALERTER_PUBLIC_URL,
    logs,
    call(path, body, options = {}) {
      const raw = options.raw ?? JSON.stringify(body);
      const signature = signLikeQStash({
        url: options.url ?? new URL(path, config.ALERTER_PUBLIC_URL).toString(),
        body: raw,
        signingKey: options.key ?? KEYS.current,
        ...(options.now ? { now: options.now } : {}),
      });
      return fetch(`${url}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", "upstash-signature": signature, ...options.headers },
        body: raw,
      });
    },
    async close() {
      await app.close();
      await queue.close();
      await db.$client.end({ timeout: 5 });
    },
  };
}

export interface RuleSetup {
  comparator?: (typeof COMPARATORS)[number];
  threshold?: number;
  windowSeconds?: number;
  aggregate?: (typeof AGGREGATES)[number];
  recoveryThreshold?: number;
  noData?: (typeof NO_DATA_POLICIES)[number];
  metric?: string;
  severity?: (typeof SEVERITIES)[number];
}

/**
 * An owner (with a webhook channel receiving every severity when given), a device and a rule on
 * it. Without a webhook the owner has no channel: their account e-mail becomes one at the first
 * notice.
 */
export async function setupRule(db: Database, rule: RuleSetup = {}, webhookUrl?: string) {
  const { ownerId, deviceId } = await createOwnerWithDevice(db, crypto.randomUUID(), "greenhouse");
  const secret = generateWebhookSecret();
  let channelId: string | undefined;
  if (webhookUrl) {
    const [channel] = await db
      .insert(notificationChannels)
      .values({
        ownerId,
        kind: "webhook",
        name: "Test receiver",
        url: webhookUrl,
        secret,
        severities: ["info", "warning", "critical"],
        verifiedAt: new Date(),
      })
      .returning();
    channelId = channel?.id;
  }
  const [created] = await db
    .insert(alertRules)
    .values({
      deviceId,
      metric: rule.metric ?? "temperature",
      comparator: rule.comparator ?? "gt",
      threshold: rule.threshold ?? 30,
      windowSeconds: rule.windowSeconds ?? 60,
      aggregate: rule.aggregate ?? "avg",
      recoveryThreshold: rule.recoveryThreshold ?? null,
      noData: rule.noData ?? "keep",
      severity: rule.severity ?? "warning",
    })
    .returning();
  if (!created) throw new Error("no rule");
  return { ownerId, deviceId, ruleId: created.id, secret, channelId };
}

/** Waits until `probe` holds (every 20 ms), or fails after `timeoutMs`. */
export async function until(probe: () => Promise<boolean> | boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
}
