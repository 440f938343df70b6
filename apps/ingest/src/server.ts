import { runWorker } from "@pulseboard/runtime/http";
import { createLogger } from "@pulseboard/runtime/logger";
import { createPooledClient } from "@pulseboard/schema/client";
import { buildApp } from "./app";
import { env } from "./env";

const log = createLogger({ name: "ingest", level: env.LOG_LEVEL });
const sql = createPooledClient(env.DATABASE_URL, {
  max: env.DB_POOL_MAX,
  applicationName: "pulseboard-ingest",
});
const app = buildApp({ sql, log });

await runWorker({
  log,
  app,
  claim: { port: env.INGEST_PORT, host: env.HOST, label: "ingest HTTP", variable: "INGEST_PORT" },
  release: () => sql.end({ timeout: 5 }),
});
