// A read replica for a test file (DATABASE_URL_REPLICA of the web app it starts).
//
// With PULSEBOARD_TEST_REPLICA_URL set (a streaming standby of the run's PostgreSQL; `.ci/run`
// starts one beside the machine's PostgreSQL 15), the replica is that standby with the file's own
// database name in the URL: a standby replays the whole cluster, so the database the file cloned
// on the primary appears there once its CREATE DATABASE is replayed. Writes reach it only by
// replay, so a test writes on the primary, then `waitForReplay()`, then asserts what the web app
// reads.
//
// Without it, the replica is the test database's own pooled URL and waitForReplay returns at
// once: the same tests run everywhere and still pass (they then prove the reads work, not where
// they go).
import { createPooledClient, type SqlClient } from "@pulseboard/schema/client";
import postgres from "postgres";
import { afterAll, beforeAll, inject } from "vitest";
import { withDatabase } from "../embedded";
import type { TestDatabase } from "./database";

declare module "vitest" {
  export interface ProvidedContext {
    /** PULSEBOARD_TEST_REPLICA_URL, checked by the global setup to be a standby of the run's server. */
    replicaUrl: string | null;
  }
}

/** How long waitForReplay waits by default: a local standby replays in milliseconds. */
export const REPLAY_TIMEOUT_MS = 30_000;

/**
 * Waits until `standby` has replayed everything `primary` had written when it was called (its
 * `pg_current_wal_lsn()`), polling `pg_last_wal_replay_lsn()`. Any connection to either server
 * will do (both functions are server-wide; the pooled endpoint is fine). When `standby` is not
 * in recovery it is a primary, no replica: there is nothing to wait for.
 */
export async function waitForReplay(
  primary: SqlClient,
  standby: SqlClient,
  options: { timeoutMs?: number } = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? REPLAY_TIMEOUT_MS;
  const [state] = await standby<{ recovery: boolean }[]>`select pg_is_in_recovery() as recovery`;
  if (!state?.recovery) return;
  const [target] = await primary<{ lsn: string }[]>`select pg_current_wal_lsn()::text as lsn`;
  const lsn = target?.lsn ?? "0/0";
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [row] = await standby<{ replayed: string | null; caught: boolean | null }[]>`
      select pg_last_wal_replay_lsn()::text as replayed, pg_last_wal_replay_lsn() >= ${lsn}::pg_lsn as caught`;
    if (row?.caught) return;
    if (Date.now() > deadline) {
      const [pause] = await standby<{ state: string }[]>`select pg_get_wal_replay_pause_state() as state`;
      throw new Error(
        `the standby has not replayed the primary's WAL up to ${lsn} within ${timeoutMs} ms ` +
          `(replayed up to ${row?.replayed ?? "nothing"}; replay ${pause?.state ?? "unknown"}): ` +
          "is it still streaming from this primary? (pg_stat_wal_receiver on the standby)",
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export interface TestReplica {
  /** What DATABASE_URL_REPLICA is for the test database: the standby's, or its own pooled URL. */
  url: string;
  /** Whether a standby is behind `url` (else it is the primary itself). */
  standby: boolean;
  /** A pooled client on `url` (reads only, when it is a standby). */
  sql: SqlClient;
  /** A client on the standby's own database (superuser), for what concerns the server. */
  server: SqlClient;
  /** Waits until the replica has every write made on the primary so far (no-op without a standby). */
  waitForReplay(options?: { timeoutMs?: number }): Promise<void>;
  close(): Promise<void>;
}

/** The replica of `database` (see the top of this file); waits for its database to appear there. */
export async function createTestReplica(database: TestDatabase): Promise<TestReplica> {
  const standbyUrl = inject("replicaUrl");
  if (!standbyUrl) {
    const sql = createPooledClient(database.url, { max: 2, applicationName: "pulseboard-test-replica" });
    return {
      url: database.url,
      standby: false,
      sql,
      server: sql,
      waitForReplay: async () => {},
      close: () => sql.end({ timeout: 5 }),
    };
  }
  const server = postgres(standbyUrl, { max: 1, onnotice: () => {} });
  const replay = (options?: { timeoutMs?: number }) => waitForReplay(database.sql, server, options);
  try {
    // The test database was created on the primary just now: wait for it here.
    await replay();
  } catch (error) {
    await server.end({ timeout: 5 });
    throw error;
  }
  const url = withDatabase(standbyUrl, database.name);
  const sql = createPooledClient(url, { max: 2, applicationName: "pulseboard-test-replica" });
  return {
    url,
    standby: true,
    sql,
    server,
    waitForReplay: replay,
    close: async () => {
      await Promise.all([sql.end({ timeout: 5 }), server.end({ timeout: 5 })]);
    },
  };
}

/**
 * For a test file, after `useTestDatabase()`: the replica of its database, made in beforeAll and
 * closed in afterAll (before the database is dropped). Read `.current` inside tests and hooks.
 */
export function useTestReplica(database: { readonly current: TestDatabase }): {
  readonly current: TestReplica;
} {
  let replica: TestReplica | undefined;
  beforeAll(async () => {
    replica = await createTestReplica(database.current);
  });
  afterAll(async () => {
    await replica?.close();
  });
  return {
    get current() {
      if (!replica) throw new Error("the test replica is made in beforeAll; use it inside tests or hooks");
      return replica;
    },
  };
}
