// Database client factories. Two endpoints, one rule (docs/architecture.md):
// - pooled (`DATABASE_URL`, PgBouncer transaction mode / Neon -pooler): everything transactional;
// - direct (`DATABASE_URL_DIRECT`): only sessions — LISTEN and migrations.
// Each process creates its clients once and closes them on shutdown.
//
// numeric columns come back as JS numbers: Drizzle columns are declared `mode: "number"`, and raw
// SQL that selects numeric aggregates casts them to float8. Sensor values and weights are
// measurements, well inside a double's precision.
import { drizzle, type PostgresJsDatabase } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import * as schema from "./index";

export type Schema = typeof schema;
export type SqlClient = postgres.Sql;
/**
 * The one handle every query function takes: Drizzle over the pooled client, with that client
 * at `db.$client` for what raw SQL does better (unnest-array inserts, date_bin roll-ups).
 * Drizzle sets the client's timestamp parsers and serializers to pass text through unchanged, so
 * raw SQL on it reads timestamps as text (or selects epoch milliseconds) and sends them as ISO
 * strings or epoch milliseconds, never as Date objects.
 */
export type Database = PostgresJsDatabase<Schema> & { $client: SqlClient };

export interface PooledClientOptions {
  /** Connections this process may hold; the real pool is PgBouncer's. */
  max?: number;
  /** Shown in pg_stat_activity, e.g. "pulseboard-ingest". */
  applicationName?: string;
}

export const POOLED_CLIENT_DEFAULTS = {
  prepare: false,
  // No pipelining: a transaction pooler may give the server connection back between pipelined
  // queries, and the queries behind it never answer (PgBouncer 1.18 hangs, as Supavisor does:
  // porsager/postgres#970). Each connection runs one query at a time; `max` sets concurrency.
  max_pipeline: 0,
  max: 5,
  idle_timeout: 20,
  connect_timeout: 10,
} as const;

/** The pooled client: prepared statements and pipelining off, small, short idle and connect timeouts. */
export function createPooledClient(url: string, options: PooledClientOptions = {}): SqlClient {
  return postgres(url, {
    ...POOLED_CLIENT_DEFAULTS,
    max: options.max ?? POOLED_CLIENT_DEFAULTS.max,
    // Server notices (e.g. "relation already exists, skipping") are not our logs.
    onnotice: () => {},
    connection: options.applicationName ? { application_name: options.applicationName } : {},
  });
}

/** Drizzle over the pooled client, with the whole schema for relational queries. */
export function createDb(client: SqlClient): Database {
  return drizzle({ client, schema });
}

/**
 * The direct client, for work that needs one session: LISTEN and migrations. Never hand it to
 * request handlers. Falls back to the pooled URL only when no direct one is configured (local).
 */
export function createDirectClient(
  url: string,
  options: { max?: number; applicationName?: string } = {},
): SqlClient {
  return postgres(url, {
    max: options.max ?? 1,
    connect_timeout: 10,
    onnotice: () => {},
    connection: options.applicationName ? { application_name: options.applicationName } : {},
  });
}
