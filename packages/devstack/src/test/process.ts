// Child processes for tests: the real commands (workers, `pnpm start`), their output captured,
// always reaped. Spawned in their own process group so a signal reaches the whole tree, as
// Ctrl-C in a terminal would.
import { type ChildProcess, spawn } from "node:child_process";
import { REPO_ROOT } from "../paths";

export interface SpawnedProcess {
  child: ChildProcess;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  stderr(): string;
  /** Resolves with the first match of `pattern` in the output; rejects on exit or timeout. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Signals the whole process group. */
  signal(signal: NodeJS.Signals): void;
  /** SIGTERM (then SIGKILL after `graceMs`) to the group; resolves when the process has exited. */
  stop(graceMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const live = new Set<SpawnedProcess>();

/** Runs `node --import tsx <script>` in `cwd` (relative to the repository root). */
export function spawnTs(
  cwd: string,
  script: string,
  env: NodeJS.ProcessEnv,
  args: string[] = [],
): SpawnedProcess {
  return spawnProcess(process.execPath, ["--import", "tsx", script, ...args], {
    cwd: `${REPO_ROOT}${cwd}`,
    env,
  });
}

export function spawnProcess(
  command: string,
  args: string[],
  { cwd, env, stdin = "ignore" }: { cwd: string; env: NodeJS.ProcessEnv; stdin?: "ignore" | "pipe" },
): SpawnedProcess {
  const child = spawn(command, args, { cwd, env, detached: true, stdio: [stdin, "pipe", "pipe"] });
  let out = "";
  let err = "";
  const listeners = new Set<() => void>();
  child.stdout?.on("data", (chunk: Buffer) => {
    out += chunk.toString();
    for (const l of listeners) l();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    err += chunk.toString();
    out += chunk.toString();
    for (const l of listeners) l();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once("exit", (code, signal) => {
      for (const l of listeners) l();
      resolve({ code, signal });
    });
  });
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };
  const proc: SpawnedProcess = {
    child,
    output: () => out,
    stderr: () => err,
    exited,
    signal: signalGroup,
    waitFor(pattern, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = out.match(pattern);
          if (match) {
            done();
            resolve(match);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            done();
            reject(new Error(`process exited before printing ${pattern}; output:\n${out}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`timed out waiting for ${pattern}; output:\n${out}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      });
    },
    async stop(graceMs = 20_000) {
      if (child.exitCode === null && child.signalCode === null) {
        signalGroup("SIGTERM");
        const timer = setTimeout(() => signalGroup("SIGKILL"), graceMs);
        await exited;
        clearTimeout(timer);
      }
      live.delete(proc);
      return exited;
    },
  };
  live.add(proc);
  void exited.then(() => live.delete(proc));
  return proc;
}

export interface TerminalProcess extends SpawnedProcess {
  /** Ctrl-C typed at the terminal: SIGINT to its foreground process group, from the terminal itself. */
  pressCtrlC(): void;
}

/**
 * Runs `command` (a shell command line) in a pseudo-terminal, as a person runs it: its stdout is
 * a terminal (so programs print as they do for people), and Ctrl-C is typed, not signalled.
 * Stopping it closes the terminal, which hangs up everything in it.
 */
export function spawnInTerminal(
  command: string,
  { cwd, env }: { cwd: string; env: NodeJS.ProcessEnv },
): TerminalProcess {
  // `exec`: as in an interactive shell, only the command is in the terminal's foreground group
  // (script's own `sh -c` would otherwise take the Ctrl-C too and exit 130 for it).
  const proc = spawnProcess("script", ["-qfec", `exec ${command}`, "/dev/null"], { cwd, env, stdin: "pipe" });
  return { ...proc, pressCtrlC: () => proc.child.stdin?.write("\x03") };
}

/** Kills whatever a test left running (call from afterAll/afterEach). */
export async function reapAll(): Promise<void> {
  await Promise.all([...live].map((p) => p.stop(2000)));
}

/** True while any process of the group led by `pid` is alive. */
export function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}
