// Vitest global setup: one PostgreSQL for the whole run (startRunPostgres: embedded, a throwaway
// cluster under /tmp with fsync off, unless DATABASE_URL is set) and a migrated template database
// that each test file clones into a fresh database of its own (see ./database.ts). With
// PULSEBOARD_TEST_REPLICA_URL, a streaming standby of that PostgreSQL serves as the test files'
// read replica (see ./replica.ts), checked here once.
import { rmSync } from "node:fs";
import { createDb } from "@pulseboard/schema/client";
import { runMigrations } from "@pulseboard/schema/migrate";
import { ensurePartitions } from "@pulseboard/schema/queries/partitions";
import postgres from "postgres";
import type { TestProject } from "vitest/node";
import { type RunPostgres, startRunPostgres } from "../bench";
import { EmbeddedSetupError, withDatabase } from "../embedded";
import { REPO_ROOT } from "../paths";
import type {} from "./database";
import type {} from "./replica";
import type {} from "./web";

const WEB_DIR = `${REPO_ROOT}apps/web`;

export default async function setup(project: TestProject) {
  let server: RunPostgres;
  try {
    server = await startRunPostgres({ label: "test-pg", durable: false });
  } catch (error) {
    // What the machine lacks, in one line, instead of a stack trace.
    if (!(error instanceof EmbeddedSetupError)) throw error;
    process.stderr.write(`pulseboard tests: ${error.message}\n`);
    process.exit(1);
  }
  const { adminUrl, pooledUrl, mode } = server;
  const replicaUrl = process.env.PULSEBOARD_TEST_REPLICA_URL || null;
  if (replicaUrl) {
    const problem = await checkStandby(adminUrl, replicaUrl);
    if (problem) {
      process.stderr.write(`pulseboard tests: PULSEBOARD_TEST_REPLICA_URL (${replicaUrl}): ${problem}\n`);
      await server.stop();
      process.exit(1);
    }
  }

  const template = `pb_template_${process.pid}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists "${template}" with (force)`);
  await admin.unsafe(`create database "${template}"`);
  await runMigrations(withDatabase(adminUrl, template));
  await createTestPartitions(withDatabase(adminUrl, template));

  project.provide("pg", { adminUrl, pooledUrl, template, mode });
  project.provide("replicaUrl", replicaUrl);
  // Built on first use by ./web.ts, removed at the end of the run.
  const webDistDir = `.next-test-${process.pid}`;
  project.provide("webDistDir", webDistDir);

  return async () => {
    await admin.unsafe(`drop database if exists "${template}" with (force)`);
    await admin.end({ timeout: 5 });
    rmSync(`${WEB_DIR}/${webDistDir}`, { recursive: true, force: true });
    rmSync(`${WEB_DIR}/${webDistDir}.lock`, { recursive: true, force: true });
    await server.stop();
  };
}

/**
 * Readings are partitioned by day and a reading needs its day's partition. The ingest and the
 * alerter make them as time goes on; tests write readings straight to the database, so the
 * template has partitions for the days tests use: fixtures at fixed dates (December 2025 to
 * March 2026, October to December 2026) and the days around now. A test writing elsewhere ensures its own.
 */
export const TEST_READING_DAYS: readonly (readonly [string, string])[] = [
  ["2025-12-01T00:00:00Z", "2026-03-31T00:00:00Z"],
  ["2026-10-01T00:00:00Z", "2026-12-31T00:00:00Z"],
];

async function createTestPartitions(url: string) {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const db = createDb(sql);
    for (const [from, to] of TEST_READING_DAYS) {
      await ensurePartitions(db, "sensor_readings", new Date(from), new Date(to));
    }
    const day = 86_400_000;
    await ensurePartitions(
      db,
      "sensor_readings",
      new Date(Date.now() - 40 * day),
      new Date(Date.now() + 7 * day),
    );
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/**
 * PULSEBOARD_TEST_REPLICA_URL must be a hot standby (in recovery, accepting reads) of the very
 * server the tests write to (the same system identifier), else waiting for its replay would
 * compare positions in two unrelated WAL streams. Returns what is wrong, or undefined.
 */
async function checkStandby(primaryUrl: string, standbyUrl: string): Promise<string | undefined> {
  const primary = postgres(primaryUrl, { max: 1, onnotice: () => {} });
  const standby = postgres(standbyUrl, { max: 1, onnotice: () => {}, connect_timeout: 10 });
  type Server = { id: string; recovery: boolean }[];
  try {
    let theirs: Server[number] | undefined;
    try {
      [theirs] = await standby<Server>`
        select system_identifier::text as id, pg_is_in_recovery() as recovery from pg_control_system()`;
    } catch (error) {
      return `cannot query it (${(error as Error).message})`;
    }
    const [ours] = await primary<Server>`select system_identifier::text as id from pg_control_system()`;
    if (!theirs?.recovery) return "it is not in recovery: a primary, not a standby";
    if (theirs.id !== ours?.id)
      return `it is a standby of another server (system identifier ${theirs.id}; the tests' server has ${ours?.id})`;
    return undefined;
  } finally {
    await Promise.all([primary.end({ timeout: 5 }), standby.end({ timeout: 5 })]);
  }
}
