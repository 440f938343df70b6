// CPU used by the processes of a benchmark, from /proc: utime + stime deltas over wall time, as
// cores (1.0 = one core busy the whole time). A tree (PostgreSQL: the postmaster and every backend,
// autovacuum worker and connection that came and went) counts its root, the children it reaped
// (cutime + cstime) and the children alive now, so work of a child that exits mid-window is
// counted once: alive at the start, reaped by the end. Linux only; NaN where /proc cannot tell.
import { readdirSync, readFileSync } from "node:fs";
import { loadavg } from "node:os";
import type postgres from "postgres";

const CLOCK_TICKS = 100;

interface Stat {
  ppid: number;
  /** utime + stime, in clock ticks. */
  own: number;
  /** cutime + cstime: reaped children's, in clock ticks. */
  reaped: number;
}

function readStat(pid: number): Stat | undefined {
  try {
    const line = readFileSync(`/proc/${pid}/stat`, "utf8");
    // After "pid (comm) ": state is field 3, ppid 4, utime 14, stime 15, cutime 16, cstime 17.
    const f = line.slice(line.lastIndexOf(")") + 2).split(" ");
    return {
      ppid: Number(f[1]),
      own: Number(f[11]) + Number(f[12]),
      reaped: Number(f[13]) + Number(f[14]),
    };
  } catch {
    return undefined;
  }
}

/** Clock ticks of `pid` alone (its threads included), NaN when it is gone. */
export function processTicks(pid: number): number {
  return readStat(pid)?.own ?? Number.NaN;
}

/** Clock ticks of `pid` and all its descendants, alive or reaped; NaN when it is gone. */
export function treeTicks(pid: number): number {
  const root = readStat(pid);
  if (!root) return Number.NaN;
  const children = new Map<number, number[]>();
  const stats = new Map<number, Stat>();
  for (const name of readdirSync("/proc")) {
    const child = Number(name);
    if (!Number.isInteger(child) || child === pid) continue;
    const s = readStat(child);
    if (!s) continue;
    stats.set(child, s);
    const list = children.get(s.ppid) ?? [];
    list.push(child);
    children.set(s.ppid, list);
  }
  let ticks = root.own + root.reaped;
  const stack = [...(children.get(pid) ?? [])];
  for (let p = stack.pop(); p !== undefined; p = stack.pop()) {
    const s = stats.get(p);
    // A live child's own ticks; its reaped children's too (they are not in its parent's cutime).
    if (s) ticks += s.own + s.reaped;
    stack.push(...(children.get(p) ?? []));
  }
  return ticks;
}

function machineBusyTicks(): number {
  const [line] = readFileSync("/proc/stat", "utf8").split("\n", 1);
  const v = (line ?? "").trim().split(/\s+/).slice(1).map(Number);
  // idle and iowait are not busy; guest time is already in user.
  return v.slice(0, 8).reduce((a, b) => a + b, 0) - (v[3] ?? 0) - (v[4] ?? 0);
}

/** What to measure: a process alone (`self`: this one) or with its descendants (`tree`). */
export type CpuTarget = { pid: number | undefined; tree: boolean };

export interface CpuSample {
  at: number;
  machine: number;
  ticks: Record<string, number>;
}

export function cpuSample(targets: Record<string, CpuTarget>): CpuSample {
  const ticks: Record<string, number> = {};
  for (const [name, { pid, tree }] of Object.entries(targets)) {
    ticks[name] = pid === undefined ? Number.NaN : tree ? treeTicks(pid) : processTicks(pid);
  }
  return { at: performance.now(), machine: machineBusyTicks(), ticks };
}

/**
 * Cores used between two samples: per target, `machine` (every CPU's busy time) and `other`
 * (machine minus the targets: whatever else runs on this machine).
 */
export function cpuCores(a: CpuSample, b: CpuSample): Record<string, number> {
  const seconds = (b.at - a.at) / 1000;
  const cores = (ticks: number) => ticks / CLOCK_TICKS / seconds;
  const out: Record<string, number> = {};
  let known = 0;
  for (const name of Object.keys(b.ticks)) {
    const d = (b.ticks[name] ?? Number.NaN) - (a.ticks[name] ?? Number.NaN);
    out[name] = cores(d);
    if (Number.isFinite(d)) known += d;
  }
  out.machine = cores(b.machine - a.machine);
  out.other = cores(b.machine - a.machine - known);
  return out;
}

/**
 * The pid of the PostgreSQL server behind `sql` (the postmaster: the parent of this session's
 * backend) when it runs on this machine, else undefined (a remote server, another pid namespace).
 */
export async function postgresServerPid(sql: postgres.Sql): Promise<number | undefined> {
  const [row] = await sql<{ pid: number }[]>`select pg_backend_pid() as pid`;
  const backend = row?.pid;
  if (!backend) return undefined;
  try {
    const comm = readFileSync(`/proc/${backend}/comm`, "utf8").trim();
    if (!comm.startsWith("postgres")) return undefined;
  } catch {
    return undefined;
  }
  const ppid = readStat(backend)?.ppid;
  return ppid && ppid > 1 ? ppid : undefined;
}

/** The 1, 5 and 15 minute load averages, e.g. `1.42, 2.60, 2.85`. */
export function loadAverage(): string {
  return loadavg()
    .map((v) => v.toFixed(2))
    .join(", ");
}
