// Vitest global setup: one PostgreSQL for the whole run — embedded (a throwaway cluster under
// /tmp) unless DATABASE_URL is set — and a migrated template database that each test file
// clones into a fresh database of its own (see ./database.ts).
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { findFreePort } from "@pulseboard/runtime/ports";
import { runMigrations } from "@pulseboard/schema/migrate";
import postgres from "postgres";
import type { TestProject } from "vitest/node";
import { EmbeddedSetupError, type RunningPostgres, startEmbeddedPostgres, withDatabase } from "../embedded";
import { REPO_ROOT } from "../paths";
import type {} from "./database";
import type {} from "./web";

const WEB_DIR = `${REPO_ROOT}apps/web`;

export default async function setup(project: TestProject) {
  let embedded: RunningPostgres | undefined;
  let tmpDir: string | undefined;
  let adminUrl: string;
  let pooledUrl: string;
  const external = process.env.DATABASE_URL;
  if (external) {
    pooledUrl = external;
    adminUrl = process.env.DATABASE_URL_DIRECT || external;
  } else {
    // Under /tmp: as root, PostgreSQL runs as `postgres`, which cannot use root-owned folders.
    tmpDir = mkdtempSync("/tmp/pulseboard-test-pg-");
    chmodSync(tmpDir, 0o755);
    try {
      embedded = await startEmbeddedPostgres({
        dataDir: `${tmpDir}/data`,
        port: await findFreePort(),
        durable: false,
      });
    } catch (error) {
      // What the machine lacks, in one line, instead of a stack trace.
      if (!(error instanceof EmbeddedSetupError)) throw error;
      rmSync(tmpDir, { recursive: true, force: true });
      process.stderr.write(`pulseboard tests: ${error.message}\n`);
      process.exit(1);
    }
    adminUrl = pooledUrl = embedded.url;
  }

  const template = `pb_template_${process.pid}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists "${template}" with (force)`);
  await admin.unsafe(`create database "${template}"`);
  await runMigrations(withDatabase(adminUrl, template));

  project.provide("pg", { adminUrl, pooledUrl, template, mode: external ? "external" : "embedded" });
  // Built on first use by ./web.ts, removed at the end of the run.
  const webDistDir = `.next-test-${process.pid}`;
  project.provide("webDistDir", webDistDir);

  return async () => {
    await admin.unsafe(`drop database if exists "${template}" with (force)`);
    await admin.end({ timeout: 5 });
    rmSync(`${WEB_DIR}/${webDistDir}`, { recursive: true, force: true });
    rmSync(`${WEB_DIR}/${webDistDir}.lock`, { recursive: true, force: true });
    await embedded?.stop();
    if (tmpDir) rmSync(tmpDir, { recursive: true, force: true });
  };
}
