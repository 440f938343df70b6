import "server-only";
import { createDb, createPooledClient, type SqlClient } from "@pulseboard/schema/client";
import { env } from "@/env";

// One pooled client per server process. In development, module reloads would each open a new
// one, so the client is kept on globalThis across reloads.
const globalForDb = globalThis as unknown as { pulseboardSql?: SqlClient };

const sql: SqlClient =
  globalForDb.pulseboardSql ??
  createPooledClient(env.DATABASE_URL, { max: env.DB_POOL_MAX, applicationName: "pulseboard-web" });
if (env.NODE_ENV !== "production") globalForDb.pulseboardSql = sql;

/** The one handle the app's code passes to query functions (its raw client is `db.$client`). */
export const db = createDb(sql);
