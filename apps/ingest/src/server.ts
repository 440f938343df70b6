import { createQueue } from "@pulseboard/queue";
import { runWorker } from "@pulseboard/runtime/http";
import { createLogger } from "@pulseboard/runtime/logger";
import { createDb, createPooledClient } from "@pulseboard/schema/client";
import { buildApp } from "./app";
import { env } from "./env";

const log = createLogger({ name: "ingest", level: env.LOG_LEVEL });
const db = createDb(
  createPooledClient(env.DATABASE_URL, {
    max: env.DB_POOL_MAX,
    applicationName: "pulseboard-ingest",
  }),
);
const queue = createQueue(
  {
    token: env.QSTASH_TOKEN,
    baseUrl: env.QSTASH_URL,
    // Development without keys: the local queue signs with throwaway ones (the alerter started by
    // `pnpm start` gets the same generated keys).
    currentSigningKey: env.QSTASH_CURRENT_SIGNING_KEY ?? "local-development-current-key",
    nextSigningKey: env.QSTASH_NEXT_SIGNING_KEY ?? "local-development-next-key",
  },
  log,
);
const app = buildApp({ db, log, queue, config: env });

await runWorker({
  log,
  app,
  claim: { port: env.INGEST_PORT, host: env.HOST, label: "ingest HTTP", variable: "INGEST_PORT" },
  metrics: env.METRICS_PORT
    ? { port: env.METRICS_PORT, host: env.HOST, label: "ingest metrics", variable: "METRICS_PORT" }
    : undefined,
  release: async () => {
    await queue.close();
    await db.$client.end({ timeout: 5 });
  },
});
