import { createQueue } from "@pulseboard/queue";
import { runWorker } from "@pulseboard/runtime/http";
import { createLogger } from "@pulseboard/runtime/logger";
import { createDb, createDirectClient, createPooledClient } from "@pulseboard/schema/client";
import { buildApp } from "./app";
import { loadAlerterEnv } from "./env";

const env = loadAlerterEnv();

const log = createLogger({ name: "alerter", level: env.LOG_LEVEL });
const db = createDb(
  createPooledClient(env.DATABASE_URL, { max: env.DB_POOL_MAX, applicationName: "pulseboard-alerter" }),
);
const queue = createQueue(
  {
    token: env.QSTASH_TOKEN,
    baseUrl: env.QSTASH_URL,
    currentSigningKey: env.QSTASH_CURRENT_SIGNING_KEY,
    nextSigningKey: env.QSTASH_NEXT_SIGNING_KEY,
    retryBaseMs: env.QUEUE_RETRY_BASE_MS,
  },
  log,
);
// One session on the direct endpoint, for partition DDL that cannot run in a transaction.
const direct = createDirectClient(env.DATABASE_URL_DIRECT ?? env.DATABASE_URL, {
  applicationName: "pulseboard-alerter",
});
const app = buildApp({ db, log, queue, config: env, direct });

await runWorker({
  log,
  app,
  claim: { port: env.ALERTER_PORT, host: env.HOST, label: "alerter HTTP", variable: "ALERTER_PORT" },
  metrics: env.METRICS_PORT
    ? { port: env.METRICS_PORT, host: env.HOST, label: "alerter metrics", variable: "METRICS_PORT" }
    : undefined,
  release: async () => {
    await queue.close();
    await db.$client.end({ timeout: 5 });
    await direct.end({ timeout: 5 });
  },
});
