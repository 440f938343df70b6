// Vitest global setup: one PostgreSQL for the whole run (startRunPostgres: embedded, a throwaway
// cluster under /tmp with fsync off, unless DATABASE_URL is set) and a migrated template database
// that each test file clones into a fresh database of its own (see ./database.ts).
import { rmSync } from "node:fs";
import { runMigrations } from "@pulseboard/schema/migrate";
import postgres from "postgres";
import type { TestProject } from "vitest/node";
import { type RunPostgres, startRunPostgres } from "../bench";
import { EmbeddedSetupError, withDatabase } from "../embedded";
import { REPO_ROOT } from "../paths";
import type {} from "./database";
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

  const template = `pb_template_${process.pid}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists "${template}" with (force)`);
  await admin.unsafe(`create database "${template}"`);
  await runMigrations(withDatabase(adminUrl, template));

  project.provide("pg", { adminUrl, pooledUrl, template, mode });
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
