import { runWorker } from "@pulseboard/runtime/http";
import { createLogger } from "@pulseboard/runtime/logger";
import { createPooledClient } from "@pulseboard/schema/client";
import { buildApp } from "./app";
import { env } from "./env";

const log = createLogger({ name: "alerter", level: env.LOG_LEVEL });
const sql = createPooledClient(env.DATABASE_URL, {
  max: env.DB_POOL_MAX,
  applicationName: "pulseboard-alerter",
});
const app = buildApp({ sql, log });

await runWorker({
  log,
  app,
  claim: { port: env.ALERTER_PORT, host: env.HOST, label: "alerter HTTP", variable: "ALERTER_PORT" },
  release: () => sql.end({ timeout: 5 }),
});
