import "server-only";
import { createDb, createPooledClient, type SqlClient } from "@pulseboard/schema/client";
import { env } from "@/env";

// One pooled client per server process, and one on the read replica when DATABASE_URL_REPLICA is
// set. In development, module reloads would each open new ones, so the clients are kept on
// globalThis across reloads. Like the LISTEN client, they end with the process.
const globalForDb = globalThis as unknown as { pulseboardSql?: SqlClient; pulseboardReplicaSql?: SqlClient };

const sql: SqlClient =
  globalForDb.pulseboardSql ??
  createPooledClient(env.DATABASE_URL, { max: env.DB_POOL_MAX, applicationName: "pulseboard-web" });
if (env.NODE_ENV !== "production") globalForDb.pulseboardSql = sql;

/** The one handle the app's code passes to query functions (its raw client is `db.$client`). */
export const db = createDb(sql);

// The replica is reached like the pooled endpoint (prepare: false, no pipelining): a Neon read
// replica's -pooler host is PgBouncer in transaction mode too.
const replicaSql: SqlClient | undefined = env.DATABASE_URL_REPLICA
  ? (globalForDb.pulseboardReplicaSql ??
    createPooledClient(env.DATABASE_URL_REPLICA, {
      max: env.DB_POOL_MAX,
      applicationName: "pulseboard-web-replica",
    }))
  : undefined;
if (replicaSql && env.NODE_ENV !== "production") globalForDb.pulseboardReplicaSql = replicaSql;

/**
 * For chart and history reads of readings only (roll-up charts, a workout's heart-rate summary):
 * the read replica when DATABASE_URL_REPLICA is set, else the same handle as `db`. It trails the
 * primary by the replica's lag, and it is read-only: never pass it to anything that writes, to
 * auth or session lookups, or to an owner check that guards a write (docs/architecture.md).
 */
export const replicaDb = replicaSql ? createDb(replicaSql) : db;
