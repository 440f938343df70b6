// The web app's production build, made once and made again only when something baked into it
// changes: the web app's and its packages' sources, the docs it renders, the lockfile, and the
// build-time variables (NEXT_PUBLIC_*). `pnpm start` and the tests share it.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { REPO_ROOT } from "./paths";

export const WEB_DIR = `${REPO_ROOT}apps/web`;

/** What a web build is made from, relative to the repository root. */
const BUILD_INPUTS = [
  "apps/web",
  "packages/schema",
  "packages/runtime",
  "docs",
  "package.json",
  "pnpm-lock.yaml",
  "pnpm-workspace.yaml",
  "tsconfig.base.json",
];
/** Never part of a build: installs, builds, test and benchmark code, generated files. */
const IGNORED_DIRS = /^(node_modules|\.next.*|test|tests|bench|test-artifacts|\.turbo)$/;
const IGNORED_FILES = /(\.test\.tsx?|\.tsbuildinfo|^next-env\.d\.ts)$/;

/** The variables `next build` sees: the system's basics and every NEXT_PUBLIC_* (baked in). */
type Env = Record<string, string | undefined>;

export function buildEnv(env: Env, distDir: string): Env {
  const baked = Object.fromEntries(Object.entries(env).filter(([name]) => name.startsWith("NEXT_PUBLIC_")));
  return {
    PATH: env.PATH,
    HOME: env.HOME,
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    NEXT_DIST_DIR: distDir,
    ...baked,
  };
}

function listFiles(path: string, out: string[]): void {
  if (!existsSync(path)) return;
  const info = statSync(path);
  if (info.isFile()) {
    out.push(path);
    return;
  }
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (entry.isDirectory() ? IGNORED_DIRS.test(entry.name) : IGNORED_FILES.test(entry.name)) continue;
    listFiles(join(path, entry.name), out);
  }
}

/** A digest of everything a build is made from: file paths and contents, and the baked variables. */
export function webBuildFingerprint(env: Env, root = REPO_ROOT): string {
  const hash = createHash("sha256");
  const files: string[] = [];
  for (const input of BUILD_INPUTS) listFiles(join(root, input), files);
  for (const file of files.sort()) {
    hash.update(`${relative(root, file)}\0`);
    hash.update(readFileSync(file));
    hash.update("\0");
  }
  for (const [name, value] of Object.entries(env)
    .filter(([name]) => name.startsWith("NEXT_PUBLIC_"))
    .sort(([a], [b]) => a.localeCompare(b))) {
    hash.update(`${name}=${value}\0`);
  }
  return hash.digest("hex");
}

const STAMP = "pulseboard-build.json";

async function builtFingerprint(dist: string): Promise<string | undefined> {
  try {
    return (JSON.parse(await readFile(join(dist, STAMP), "utf8")) as { fingerprint?: string }).fingerprint;
  } catch {
    return undefined;
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A lock directory holding its owner's pid; a lock whose owner died is taken over. */
async function acquireLock(lock: string, timeoutMs: number): Promise<() => Promise<void>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await mkdir(lock);
      await writeFile(join(lock, "pid"), String(process.pid));
      return () => rm(lock, { recursive: true, force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const owner = Number(await readFile(join(lock, "pid"), "utf8").catch(() => ""));
    if (owner > 0 && !pidAlive(owner)) {
      await rm(lock, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for another web build (${lock})`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

export interface WebBuildOptions {
  /** The build's folder, relative to apps/web (NEXT_DIST_DIR). */
  distDir: string;
  /** Where NEXT_PUBLIC_* come from (default: this process's environment). */
  env?: Env;
  /** Told once when a build starts (why), and given `next build`'s output as it comes. */
  onBuildStart?: (reason: string) => void;
  onOutput?: (chunk: string) => void;
  /** Called after every 15 s without output, with the seconds since the build started. */
  onQuiet?: (seconds: number) => void;
  timeoutMs?: number;
}

/**
 * Builds the web app into `distDir` unless the build there was made from the same inputs.
 * Concurrent callers (test files, two starts) wait for one build. Returns whether it built.
 */
export async function ensureWebBuild(options: WebBuildOptions): Promise<{ built: boolean }> {
  const env = options.env ?? process.env;
  const dist = join(WEB_DIR, options.distDir);
  const timeoutMs = options.timeoutMs ?? 600_000;
  const release = await acquireLock(`${dist}.lock`, timeoutMs);
  try {
    const fingerprint = webBuildFingerprint(env);
    const previous = await builtFingerprint(dist);
    if (previous === fingerprint) return { built: false };
    options.onBuildStart?.(previous ? "its sources or build-time variables changed" : "there is none yet");
    // A build that fails or is cut short leaves no stamp, so the next start builds again.
    await rm(join(dist, STAMP), { force: true });
    let output = "";
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(process.execPath, ["node_modules/next/dist/bin/next", "build"], {
        cwd: WEB_DIR,
        env: buildEnv(env, options.distDir) as NodeJS.ProcessEnv,
        stdio: ["ignore", "pipe", "pipe"],
      });
      const started = Date.now();
      let lastOutput = started;
      const ticker = setInterval(() => {
        if (Date.now() - lastOutput < 15_000) return;
        lastOutput = Date.now();
        options.onQuiet?.(Math.round((Date.now() - started) / 1000));
      }, 1000);
      const take = (chunk: Buffer) => {
        lastOutput = Date.now();
        const text = chunk.toString();
        output = (output + text).slice(-20_000);
        options.onOutput?.(text);
      };
      child.stdout.on("data", take);
      child.stderr.on("data", take);
      child.once("error", reject);
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      child.once("close", (exitCode) => {
        clearTimeout(timer);
        clearInterval(ticker);
        resolve(exitCode);
      });
    });
    if (code !== 0) throw new WebBuildError(output);
    await writeFile(
      join(dist, STAMP),
      `${JSON.stringify({ fingerprint, builtAt: new Date().toISOString() }, null, 2)}\n`,
    );
    return { built: true };
  } finally {
    await release();
  }
}

export class WebBuildError extends Error {
  override name = "WebBuildError";
  constructor(readonly output: string) {
    super("the web app's production build (next build) failed; its output is above");
  }
}
