// The scaffolding every benchmark shares (and the test run's PostgreSQL, see ./test/global-setup.ts):
// - a PostgreSQL for a run: the server at DATABASE_URL (DATABASE_URL_DIRECT for admin work) when
//   set, otherwise a throwaway embedded PostgreSQL in a /tmp folder;
// - a database for a bench on it: pooled URL (what DATABASE_URL would be) and direct URL apart;
// - progress lines, cleanups run last-in first-out, and `runBench` around a benchmark's main;
// - figures: one percentile rule (nearest rank), a printed table, a JSON copy in bench-results/.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { findFreePort } from "@pulseboard/runtime/ports";
import { runMigrations } from "@pulseboard/schema/migrate";
import postgres from "postgres";
import { ensureDatabase, type RunningPostgres, startEmbeddedPostgres, withDatabase } from "./embedded";
import { REPO_ROOT } from "./paths";

// ---------------------------------------------------------------------------------------------
// A PostgreSQL for a run

export interface RunPostgresOptions {
  /** Names the /tmp folder of an embedded server: `/tmp/pulseboard-<label>-XXXXXX`. */
  label: string;
  /**
   * Embedded only: fsync, synchronous commit and full-page writes on (PostgreSQL's defaults,
   * what a deployment has). Default true; `false` for runs whose figures do not hang on them.
   */
  durable?: boolean;
  /** Embedded only: server settings that need a restart (`alter system`, then a restart). */
  settings?: Record<string, string>;
}

export interface RunPostgres {
  /** The pooled endpoint: DATABASE_URL as given, or the embedded server's `postgres` database. */
  pooledUrl: string;
  /** The direct endpoint with the right to create databases: DATABASE_URL_DIRECT, else DATABASE_URL. */
  adminUrl: string;
  mode: "embedded" | "external";
  /** What it is, for reports: server and settings. */
  description: string;
  /** Stops the embedded server and removes its folder; nothing for an external server. */
  stop(): Promise<void>;
}

/**
 * The server at DATABASE_URL (admin work over DATABASE_URL_DIRECT when set), otherwise a throwaway
 * embedded PostgreSQL in a /tmp folder. Under /tmp because, as root, PostgreSQL runs as `postgres`,
 * which cannot use root-owned folders. Throws `EmbeddedSetupError` when the embedded one cannot start.
 */
export async function startRunPostgres(options: RunPostgresOptions): Promise<RunPostgres> {
  const external = process.env.DATABASE_URL;
  if (external) {
    const direct = process.env.DATABASE_URL_DIRECT;
    return {
      pooledUrl: external,
      adminUrl: direct || external,
      mode: "external",
      description: `DATABASE_URL${direct ? " (created over DATABASE_URL_DIRECT)" : ""}`,
      stop: async () => {},
    };
  }
  const tmp = mkdtempSync(`/tmp/pulseboard-${options.label}-`);
  chmodSync(tmp, 0o755);
  const dataDir = `${tmp}/data`;
  const durable = options.durable ?? true;
  const start = (port: number) => startEmbeddedPostgres({ dataDir, port, durable });
  let embedded: RunningPostgres | undefined;
  try {
    embedded = await start(await findFreePort());
    const settings = Object.entries(options.settings ?? {});
    if (settings.length > 0) {
      const admin = postgres(embedded.url, { max: 1, onnotice: () => {} });
      try {
        for (const [name, value] of settings) await admin.unsafe(`alter system set ${name} = '${value}'`);
      } finally {
        await admin.end({ timeout: 5 });
      }
      const port = embedded.port;
      await embedded.stop();
      embedded = undefined;
      embedded = await start(port);
    }
  } catch (error) {
    await embedded?.stop();
    rmSync(tmp, { recursive: true, force: true });
    throw error;
  }
  const running = embedded;
  const described = [
    durable ? "default settings, fsync on" : "fsync, synchronous_commit and full_page_writes off",
    ...Object.entries(options.settings ?? {}).map(([name, value]) => `${name} ${value}`),
  ];
  return {
    pooledUrl: running.url,
    adminUrl: running.url,
    mode: "embedded",
    description: `embedded PostgreSQL 17 under /tmp (${described.join(", ")})`,
    stop: async () => {
      await running.stop();
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------------------------------------
// A database for a bench

export interface BenchDatabaseOptions extends Omit<RunPostgresOptions, "label"> {
  /** The bench's own database on the server, e.g. `pulseboard_bench_ingest`. */
  name: string;
  /** Drop it first (with force), so every run starts from nothing. Default false: kept, reused. */
  fresh?: boolean;
  /** Apply the migrations (over the direct URL). Default true. */
  migrate?: boolean;
}

export interface BenchDatabase {
  /** The pooled endpoint of the bench database: what DATABASE_URL would be (createPooledClient). */
  url: string;
  /** The direct endpoint of the bench database: what DATABASE_URL_DIRECT would be (migrations, DDL, LISTEN). */
  directUrl: string;
  /** The server's admin URL (its `postgres` database, or DATABASE_URL_DIRECT's). */
  adminUrl: string;
  mode: "embedded" | "external";
  /** What it is, for reports: `database <name> at DATABASE_URL`, or the embedded server and its settings. */
  description: string;
  /** Stops the embedded server and removes its folder; an external database is left as it is. */
  close(): Promise<void>;
}

/**
 * The database `name` for a bench (created when missing; `fresh` drops it first; migrated unless
 * `migrate: false`) on the run's PostgreSQL (see `startRunPostgres`; durable unless `durable: false`).
 */
export async function benchDatabase(options: BenchDatabaseOptions): Promise<BenchDatabase> {
  // /tmp/pulseboard-bench-ingest-XXXXXX for pulseboard_bench_ingest
  const label = options.name.replace(/^pulseboard_/, "").replaceAll("_", "-");
  const server = await startRunPostgres({ ...options, label });
  try {
    if (options.fresh) {
      const admin = postgres(server.adminUrl, { max: 1, onnotice: () => {} });
      try {
        await admin.unsafe(`drop database if exists "${options.name}" with (force)`);
      } finally {
        await admin.end({ timeout: 5 });
      }
    }
    const directUrl = await ensureDatabase(server.adminUrl, options.name);
    if (options.migrate ?? true) await runMigrations(directUrl);
    return {
      url: withDatabase(server.pooledUrl, options.name),
      directUrl,
      adminUrl: server.adminUrl,
      mode: server.mode,
      description:
        server.mode === "external" ? `database ${options.name} at ${server.description}` : server.description,
      close: () => server.stop(),
    };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// Progress and cleanup

const began = performance.now();

/** A progress line, prefixed with the seconds since the benchmark started. */
export function progress(line: string): void {
  const s = ((performance.now() - began) / 1000).toFixed(1).padStart(6);
  console.log(`[${s}s] ${line}`);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

const cleanups: { label: string; run: () => Promise<unknown> | unknown }[] = [];

/** Registers a cleanup; they run last-in first-out from `cleanupAll`. Returns an unregister. */
export function onCleanup(label: string, run: () => Promise<unknown> | unknown): () => void {
  const entry = { label, run };
  cleanups.push(entry);
  return () => {
    const i = cleanups.indexOf(entry);
    if (i >= 0) cleanups.splice(i, 1);
  };
}

/** Runs every registered cleanup (newest first), each at most once, reporting failures. */
export async function cleanupAll(): Promise<void> {
  while (cleanups.length > 0) {
    const entry = cleanups.pop();
    if (!entry) break;
    try {
      await entry.run();
    } catch (error) {
      console.error(`cleanup (${entry.label}) failed: ${error instanceof Error ? error.message : error}`);
    }
  }
}

/**
 * Runs a benchmark's main: an error is printed and sets exit code 1; the registered cleanups run
 * at the end, and on SIGINT/SIGTERM (then the process exits with 130).
 */
export async function runBench(main: () => Promise<void>): Promise<void> {
  let exiting = false;
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      if (exiting) return;
      exiting = true;
      progress(`${signal}: cleaning up`);
      void cleanupAll().finally(() => process.exit(130));
    });
  }
  try {
    await main();
  } catch (error) {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exitCode = 1;
  } finally {
    exiting = true;
    await cleanupAll();
  }
}

// ---------------------------------------------------------------------------------------------
// Figures

/**
 * The `p`th percentile (0 < p ≤ 100) of `values` (any order) by the nearest-rank rule: the
 * smallest value with at least p % of the values at or below it, i.e. the ⌈p/100 × n⌉-th
 * smallest. Always one of the values, never interpolated. NaN when there are none.
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

export const fmtInt = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "n/a");
export const fmt1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : "n/a");
export const fmt2 = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : "n/a");

/** A Markdown table: the first column left-aligned, the others right-aligned. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    `| ${widths.map((w, i) => (i === 0 ? (cells[i] ?? "").padEnd(w) : (cells[i] ?? "").padStart(w))).join(" | ")} |`;
  return [line(header), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.map(line)].join("\n");
}

/**
 * The end of every benchmark: its table printed (under `title`), and `figures` written as
 * bench-results/<name>.json at the repository root.
 */
export function reportResults(
  name: string,
  report: { title: string; header: string[]; rows: string[][]; figures: unknown },
): void {
  console.log("");
  console.log(report.title);
  console.log(formatTable(report.header, report.rows));
  mkdirSync(`${REPO_ROOT}bench-results`, { recursive: true });
  writeFileSync(`${REPO_ROOT}bench-results/${name}.json`, `${JSON.stringify(report.figures, null, 2)}\n`);
  progress(`wrote bench-results/${name}.json`);
}
