// A fresh database per test file, cloned from the migrated template, so files never see each
// other's rows. Clients reach it through the same endpoints the apps would: pooled (which is
// PgBouncer when DATABASE_URL points at one) and direct.
import { randomBytes } from "node:crypto";
import { createDb, createPooledClient, type Database, type SqlClient } from "@pulseboard/schema/client";
import postgres from "postgres";
import { afterAll, beforeAll, inject } from "vitest";
import { withDatabase } from "../embedded";

export interface TestPostgres {
  /** Superuser-ish URL on the direct endpoint: creates and drops the per-file databases. */
  adminUrl: string;
  /** The pooled endpoint with any database name; tests swap the name in. */
  pooledUrl: string;
  /** Migrated template database each test database is cloned from. */
  template: string;
  /** "embedded" or "external" (DATABASE_URL). */
  mode: "embedded" | "external";
}

declare module "vitest" {
  export interface ProvidedContext {
    pg: TestPostgres;
  }
}

export interface TestDatabase {
  name: string;
  /** Pooled endpoint URL of this database (what DATABASE_URL would be). */
  url: string;
  /** Direct endpoint URL of this database (what DATABASE_URL_DIRECT would be). */
  directUrl: string;
  /** A pooled client made by the production factory (prepare: false). */
  sql: SqlClient;
  db: Database;
  drop(): Promise<void>;
}

async function admin<T>(fn: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(inject("pg").adminUrl, { max: 1, onnotice: () => {} });
  try {
    return await fn(sql);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** Creates a database: a migrated clone of the template, or `empty` for migration tests. */
export async function createTestDatabase(options: { empty?: boolean } = {}): Promise<TestDatabase> {
  const { adminUrl, pooledUrl, template } = inject("pg");
  const name = `pb_test_${randomBytes(6).toString("hex")}`;
  await admin((sql) =>
    sql.unsafe(
      options.empty ? `create database "${name}"` : `create database "${name}" template "${template}"`,
    ),
  );
  const url = withDatabase(pooledUrl, name);
  const sql = createPooledClient(url, { max: 4, applicationName: "pulseboard-test" });
  return {
    name,
    url,
    directUrl: withDatabase(adminUrl, name),
    sql,
    db: createDb(sql),
    drop: async () => {
      await sql.end({ timeout: 5 });
      await admin((a) => a.unsafe(`drop database if exists "${name}" with (force)`));
    },
  };
}

/**
 * For a test file: a fresh database created before its tests and dropped after them.
 * Read `.current` inside tests and hooks (it is set in beforeAll).
 */
export function useTestDatabase(options: { empty?: boolean } = {}): { readonly current: TestDatabase } {
  let database: TestDatabase | undefined;
  beforeAll(async () => {
    database = await createTestDatabase(options);
  });
  afterAll(async () => {
    await database?.drop();
  });
  return {
    get current() {
      if (!database)
        throw new Error("the test database is created in beforeAll; use it inside tests or hooks");
      return database;
    },
  };
}
