// The benches' shared data (issue 13, part 5), built once and reused:
// - a PostgreSQL kept between runs: DATABASE_URL when set (a restart for cold runs is then not
//   ours to do), otherwise an embedded PostgreSQL whose cluster stays in
//   BENCH_PG_DIR (default /var/tmp/pulseboard-bench-pg), durable settings (fsync, synchronous
//   commit and full-page writes on, as a deployment runs);
// - a template database named by a hash of the migrations, this generator's version and its
//   parameters: a second run finds it and skips the fill ("reused"); each bench clones it
//   (CREATE DATABASE … TEMPLATE … STRATEGY FILE_COPY) and works on its own copy.
//
// The data is laid out as a deployment lays it out:
// - raw readings: `devices` devices × `metrics.length` metrics, one reading per device and metric
//   every `intervalS` seconds (each device at its own phase within the interval), inserted in
//   time order across devices in flush-sized statements (`flushRows` rows, what FLUSH_MAX_ROWS
//   lets the ingest write at once), received_at = recorded_at + 50 ms, into the day partitions
//   made by the real `ensurePartitions`; the raw window is as many whole days as the wanted
//   number of readings takes, ending at the build's minute;
// - minute roll-ups of those readings, computed by SQL equal to the roll-up's (min, max, sum,
//   count per device, metric and minute) and written as the sweep writes them: minute after
//   minute, every series of a minute together, rolled_at a minute after the bucket ends; the
//   minute watermark at the last closed minute;
// - hourly roll-ups (when the schema has the hourly tier): for the raw window's closed days,
//   computed from the minute rows, and for the `hourlyDays` before it, synthetic rows (the raw
//   readings and minute rows of those days are past retention in a deployment too); written as
//   the daily roll-up writes them: day after day, each day's rows in series order; the hourly
//   watermark at the minute one. The minute tier holds only the raw window's days (a deployment
//   keeps MINUTE_RETENTION_DAYS of them; charts of whole hours read the hourly tier for closed
//   days, so this changes storage totals, not what the charts read);
// - the community (./bench-community-data.ts): 20,000 members, 8 categories, 100,000 threads over
//   the year before the end, 1,000,000 posts and 3,000,000 votes, each in time order; a template
//   made before it (or by an older community generator) is extended in place once, then reused;
// - then VACUUM (ANALYZE) of the whole database, as autovacuum (and the alerter's maintenance
//   for the roll-up tiers) would have done by then.
// Values are generated (a daily sine per series plus noise), so two builds differ in values
// only; the build's end instant and parameters are kept in the template's COMMENT.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { findFreePort } from "@pulseboard/runtime/ports";
import { createDb, createPooledClient, type Database } from "@pulseboard/schema/client";
import { runMigrations } from "@pulseboard/schema/migrate";
import { daysAhead, retentionStart } from "@pulseboard/schema/partitions";
import {
  ensurePartitions,
  PARTITIONED_TABLES,
  type PartitionedTable,
} from "@pulseboard/schema/queries/partitions";
import { DEFAULT_RAW_RETENTION_DAYS } from "@pulseboard/schema/tiers";
import postgres from "postgres";
import { fmtInt, onCleanup, progress } from "./bench";
import {
  COMMUNITY_DATA,
  COMMUNITY_GENERATOR_VERSION,
  type CommunityDataInfo,
  describeCommunityData,
  fillCommunity,
  vacuumCommunity,
} from "./bench-community-data";
import { type RunningPostgres, startEmbeddedPostgres, withDatabase } from "./embedded";
import { REPO_ROOT } from "./paths";

/** Bumped whenever the generator writes different data for the same parameters. */
const GENERATOR_VERSION = 1;
const DAY_MS = 86_400_000;

export interface BenchDataParams {
  devices: number;
  metrics: string[];
  /** Seconds between two readings of one series. */
  intervalS: number;
  /** Raw readings wanted; the raw window is the whole days that hold at least this many. */
  readings: number;
  /** Days of hourly roll-ups before the raw window. */
  hourlyDays: number;
  /** Rows per insert statement (the ingest's FLUSH_MAX_ROWS default). */
  flushRows: number;
}

/** `pnpm bench`: ≥ 10M raw readings (3 days and today's part of 100 devices × 4 metrics every 10 s). */
export const BENCH_DATA: BenchDataParams = {
  devices: 100,
  metrics: ["temperature", "humidity", "pressure", "co2"],
  intervalS: 10,
  readings: 10_000_000,
  hourlyDays: 365,
  flushRows: 5_000,
};

/** The parameters for this run: BENCH_SCALE=1 (`pnpm bench:scale`) wants 100M raw readings. */
export function benchDataParams(): BenchDataParams {
  const readings = process.env.BENCH_READINGS
    ? Number(process.env.BENCH_READINGS)
    : process.env.BENCH_SCALE === "1"
      ? 100_000_000
      : BENCH_DATA.readings;
  const hourlyDays = process.env.BENCH_HOURLY_DAYS
    ? Number(process.env.BENCH_HOURLY_DAYS)
    : BENCH_DATA.hourlyDays;
  return { ...BENCH_DATA, readings, hourlyDays };
}

export interface BenchDataInfo {
  params: BenchDataParams;
  /** The raw window [rawFrom, end): whole UTC days, the last one cut at the build's minute. */
  rawFrom: string;
  end: string;
  rawReadings: number;
  minuteRows: number;
  hourlyRows: number;
  ownerId: string;
  deviceIds: string[];
  buildSeconds: number;
  /** The community (./bench-community-data.ts): in every template since its generator's version 1. */
  community?: CommunityDataInfo;
}

export {
  COMMUNITY_DATA,
  COMMUNITY_TERMS,
  type CommunityDataInfo,
  type CommunityTermKind,
  describeCommunityData,
} from "./bench-community-data";

// ---------------------------------------------------------------------------------------------
// The server

export interface BenchServer {
  /** Superuser URL of the server's `postgres` database. */
  adminUrl: string;
  /** The pooled URL a database on it gets (withDatabase). */
  urlOf(database: string): string;
  mode: "embedded" | "external";
  description: string;
  /** Restarts the server (embedded only; false otherwise), for cold runs. */
  restart(): Promise<boolean>;
  stop(): Promise<void>;
}

/**
 * The bench server: DATABASE_URL's (admin over DATABASE_URL_DIRECT), else the kept embedded one,
 * with `settings` (ALTER SYSTEM, then a restart, when they differ; an external server's are left
 * as they are, and printed).
 */
export async function startBenchServer(settings: Record<string, string> = {}): Promise<BenchServer> {
  const external = process.env.DATABASE_URL;
  if (external) {
    const admin = process.env.DATABASE_URL_DIRECT || external;
    return {
      adminUrl: admin,
      urlOf: (database) => withDatabase(external, database),
      mode: "external",
      description: `DATABASE_URL (${await serverSettings(admin)})`,
      restart: async () => false,
      stop: async () => {},
    };
  }
  const root = process.env.BENCH_PG_DIR ?? "/var/tmp/pulseboard-bench-pg";
  mkdirSync(root, { recursive: true });
  chmodSync(root, 0o755);
  const dataDir = join(root, "data");
  const port = await findFreePort();
  let running: RunningPostgres = await startEmbeddedPostgres({ dataDir, port, durable: true });
  if (Object.keys(settings).length > 0) {
    const admin = postgres(running.url, { max: 1, onnotice: () => {} });
    let changed = false;
    try {
      for (const [name, value] of Object.entries(settings)) {
        const [row] = await admin<
          { setting: string }[]
        >`select setting from pg_settings where name = ${name}`;
        if (row?.setting === value) continue;
        await admin.unsafe(`alter system set ${name} = '${value}'`);
        changed = true;
      }
    } finally {
      await admin.end({ timeout: 5 });
    }
    if (changed) {
      await running.stop();
      running = await startEmbeddedPostgres({ dataDir, port, durable: true });
    }
  }
  const stopOnExit = onCleanup("bench PostgreSQL", () => running.stop());
  return {
    adminUrl: running.url,
    urlOf: (database) => withDatabase(running.url, database),
    mode: "embedded",
    description: `embedded PostgreSQL kept in ${dataDir} (${await serverSettings(running.url)})`,
    restart: async () => {
      await running.stop();
      running = await startEmbeddedPostgres({ dataDir, port, durable: true });
      return true;
    },
    stop: async () => {
      stopOnExit();
      await running.stop();
    },
  };
}

async function serverSettings(url: string): Promise<string> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const rows = await sql<{ name: string; setting: string; unit: string | null }[]>`
      select name, setting, unit from pg_settings
      where name in ('server_version', 'fsync', 'synchronous_commit', 'full_page_writes', 'shared_buffers',
                     'max_wal_size', 'checkpoint_timeout', 'track_commit_timestamp')
      order by name`;
    const show = (r: { name: string; setting: string; unit: string | null }) => {
      if (r.unit === "8kB") return `${r.name} ${fmtInt((Number(r.setting) * 8) / 1024)} MB`;
      if (r.unit === "MB") return `${r.name} ${r.setting} MB`;
      if (r.unit === "s") return `${r.name} ${r.setting} s`;
      return `${r.name} ${r.setting}`;
    };
    return rows.map(show).join(", ");
  } finally {
    await sql.end({ timeout: 5 });
  }
}

// ---------------------------------------------------------------------------------------------
// The template

function migrationsHash(): string {
  const hash = createHash("sha256");
  const dir = join(REPO_ROOT, "drizzle");
  for (const file of readdirSync(dir).sort()) {
    if (file.endsWith(".sql")) hash.update(file).update(readFileSync(join(dir, file)));
  }
  return hash.digest("hex");
}

/** The template's name: the migrations, this generator and its parameters, hashed. */
export function templateName(params: BenchDataParams): string {
  const key = createHash("sha256")
    .update(migrationsHash())
    .update(String(GENERATOR_VERSION))
    .update(JSON.stringify(params))
    .digest("hex")
    .slice(0, 12);
  return `pulseboard_benchdata_${key}`;
}

/**
 * The template for `params` on `server`: found and reused, or built now (minutes for 10M
 * readings). Prints which, and the conditions.
 */
export async function benchTemplate(
  server: BenchServer,
  params: BenchDataParams,
): Promise<{ name: string; info: BenchDataInfo }> {
  const name = templateName(params);
  const admin = postgres(server.adminUrl, { max: 1, onnotice: () => {} });
  try {
    // Templates of other migrations or parameters are never used again: dropped (~2.5 GB each).
    const stale = await admin<{ datname: string }[]>`
      select datname from pg_database
      where datname like 'pulseboard\_benchdata\_%' and datname <> ${name} and datname <> ${`${name}_building`}`;
    for (const { datname } of stale) {
      await admin.unsafe(`drop database if exists "${datname}" with (force)`);
      progress(`bench data: dropped the stale template ${datname}`);
    }
    const [found] = await admin<{ comment: string | null }[]>`
      select shobj_description(oid, 'pg_database') as comment from pg_database where datname = ${name}`;
    if (found?.comment) {
      const info = JSON.parse(found.comment) as BenchDataInfo;
      progress(`bench data: reused ${name} (built in ${info.buildSeconds} s)`);
      if (!hasCommunity(info)) {
        // A template of before the community (or of an older community generator): extended once,
        // in place (the fill is one transaction; its VACUUM is redone if it was cut short).
        const url = server.urlOf(name);
        if (!info.community || !sameCommunity(info.community)) {
          info.community = undefined;
          progress(`bench data: adding the community to ${name}`);
          info.community = await fillCommunity(url, COMMUNITY_DATA, new Date(info.end));
          await writeInfo(admin, name, info);
        }
        info.community.vacuumSeconds = await vacuumCommunity(url);
        info.community.vacuumed = true;
        await writeInfo(admin, name, info);
        progress(
          `bench data: community added to ${name} in ${info.community.fillSeconds + info.community.vacuumSeconds} s (fill ${info.community.fillSeconds} s, VACUUM (ANALYZE) ${info.community.vacuumSeconds} s)`,
        );
      }
      printConditions(info);
      return { name, info };
    }
    const building = `${name}_building`;
    await admin.unsafe(`drop database if exists "${name}" with (force)`);
    await admin.unsafe(`drop database if exists "${building}" with (force)`);
    await admin.unsafe(`create database "${building}"`);
    const began = performance.now();
    progress(`bench data: building ${name} (${fmtInt(params.readings)} raw readings wanted)`);
    const info = await fill(server.urlOf(building), params, began);
    await admin.unsafe(`alter database "${building}" rename to "${name}"`);
    await writeInfo(admin, name, info);
    progress(`bench data: built ${name} in ${info.buildSeconds} s`);
    printConditions(info);
    return { name, info };
  } finally {
    await admin.end({ timeout: 5 });
  }
}

const sameCommunity = (c: CommunityDataInfo) =>
  c.version === COMMUNITY_GENERATOR_VERSION && JSON.stringify(c.params) === JSON.stringify(COMMUNITY_DATA);
const hasCommunity = (info: BenchDataInfo) =>
  info.community !== undefined && sameCommunity(info.community) && info.community.vacuumed;

async function writeInfo(admin: postgres.Sql, name: string, info: BenchDataInfo): Promise<void> {
  await admin.unsafe(`comment on database "${name}" is '${JSON.stringify(info).replaceAll("'", "''")}'`);
}

/** A fresh copy of the template as database `database` (dropped first if there). */
export async function cloneBenchDatabase(
  server: BenchServer,
  template: string,
  database: string,
): Promise<string> {
  const admin = postgres(server.adminUrl, { max: 1, onnotice: () => {} });
  try {
    const t0 = performance.now();
    await admin.unsafe(`drop database if exists "${database}" with (force)`);
    await admin.unsafe(`create database "${database}" template "${template}" strategy file_copy`);
    progress(`cloned ${template} as ${database} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  } finally {
    await admin.end({ timeout: 5 });
  }
  return server.urlOf(database);
}

export async function dropBenchDatabase(server: BenchServer, database: string): Promise<void> {
  const admin = postgres(server.adminUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`drop database if exists "${database}" with (force)`);
  } finally {
    await admin.end({ timeout: 5 });
  }
}

export function describeBenchData(info: BenchDataInfo): string {
  const p = info.params;
  return [
    `${p.devices} devices × ${p.metrics.length} metrics, one reading per series every ${p.intervalS} s`,
    `${fmtInt(info.rawReadings)} raw readings over ${info.rawFrom} – ${info.end} in time order across devices, ${fmtInt(p.flushRows)} rows per insert`,
    `${fmtInt(info.minuteRows)} minute roll-ups (raw window, minute after minute)`,
    `${fmtInt(info.hourlyRows)} hourly roll-ups (${p.hourlyDays} days before it plus its closed days, day after day in series order)`,
    "VACUUM (ANALYZE) after the fill",
    ...(info.community ? [describeCommunityData(info.community)] : []),
  ].join("; ");
}

function printConditions(info: BenchDataInfo): void {
  progress(`bench data: ${describeBenchData(info)}`);
}

// ---------------------------------------------------------------------------------------------
// The fill

async function fill(url: string, params: BenchDataParams, began: number): Promise<BenchDataInfo> {
  await runMigrations(url);
  const sql = createPooledClient(url, { max: 1, applicationName: "pulseboard-bench-data" });
  const db = createDb(createPooledClient(url, { max: 1, applicationName: "pulseboard-bench-data" }));
  try {
    const series = params.devices * params.metrics.length;
    const perDay = (series * 86_400) / params.intervalS;
    const rawDays = Math.max(1, Math.ceil(params.readings / perDay));
    const end = new Date(Math.floor(Date.now() / 60_000) * 60_000);
    const endDay = Math.floor(end.getTime() / DAY_MS) * DAY_MS;
    // As many whole days as the wanted readings take, then today's part-day.
    const rawFrom = new Date(endDay - rawDays * DAY_MS);

    const ownerId = crypto.randomUUID();
    await sql`insert into "user" (id, name, email, updated_at) values (${ownerId}, 'bench', ${`${ownerId}@bench.local`}, now())`;
    const devices = await sql<{ id: string }[]>`
      insert into devices (owner_id, name, device_key)
      select ${ownerId}, 'bench-' || n, encode(sha256((${ownerId} || n)::bytea), 'hex')
      from generate_series(1, ${params.devices}) n
      order by n
      returning id`;
    const deviceIds = devices.map((d) => d.id);

    await ensurePartitions(db, "sensor_readings", rawFrom, end);
    // The minute tier's month partitions, when it is partitioned (the roll-up tiers' schema).
    const minuteTable: string = "reading_rollups_1m";
    if (minuteTable in PARTITIONED_TABLES) {
      await ensurePartitions(db, minuteTable as PartitionedTable, rawFrom, end);
    }

    // Raw readings: statements of `steps` intervals × every series, in time order.
    const stepMs = params.intervalS * 1000;
    const steps = Math.max(1, Math.round(params.flushRows / series));
    let rawReadings = 0;
    let lastPrint = performance.now();
    for (let t = rawFrom.getTime(); t < end.getTime(); t += steps * stepMs) {
      const to = Math.min(t + steps * stepMs, end.getTime());
      const result = await sql`
        insert into sensor_readings (device_id, metric, value, recorded_at, received_at)
        select d.id, m.name,
               round((20 + 10 * sin(extract(epoch from r.at) / 13751 + d.n) + random())::numeric, 2),
               r.at, r.at + interval '50 milliseconds'
        from generate_series(${new Date(t).toISOString()}::timestamptz,
                             ${new Date(to - 1).toISOString()}::timestamptz, ${`${params.intervalS} seconds`}::interval) s(step)
        cross join unnest(${deviceIds}::uuid[]) with ordinality d(id, n)
        cross join unnest(${params.metrics}::text[]) with ordinality m(name, k)
        cross join lateral (select s.step + ((d.n - 1) * ${stepMs} / ${params.devices}) * interval '1 millisecond' as at) r
        where r.at < ${end.toISOString()}::timestamptz
        order by r.at, m.k`;
      rawReadings += result.count;
      if (performance.now() - lastPrint > 15_000) {
        lastPrint = performance.now();
        progress(`bench data: ${fmtInt(rawReadings)} raw readings (up to ${new Date(to).toISOString()})`);
      }
    }
    progress(`bench data: ${fmtInt(rawReadings)} raw readings in ${secondsSince(began)} s`);

    // Minute roll-ups of the raw window, an hour of minutes per statement, minute-major.
    const cutoff = new Date(end.getTime() - 60_000);
    let minuteRows = 0;
    for (let t = rawFrom.getTime(); t < cutoff.getTime(); t += 3_600_000) {
      const to = Math.min(t + 3_600_000, cutoff.getTime());
      const result = await sql`
        insert into reading_rollups_1m (device_id, metric, bucket_start, min, max, sum, count, rolled_at)
        select s.device_id, s.metric, b.bucket, min(s.value), max(s.value), sum(s.value), count(*)::int,
               b.bucket + interval '2 minutes'
        from sensor_readings s
        cross join lateral (select date_bin('1 minute', s.recorded_at, timestamptz '1970-01-01 00:00:00+00') as bucket) b
        where s.recorded_at >= ${new Date(t).toISOString()}::timestamptz and s.recorded_at < ${new Date(to).toISOString()}::timestamptz
        group by b.bucket, s.device_id, s.metric
        order by b.bucket, s.device_id, s.metric`;
      minuteRows += result.count;
    }
    await sql`
      insert into rollup_watermarks (name, cutoff) values ('reading_rollups_1m', ${cutoff.toISOString()}::timestamptz)
      on conflict (name) do update set cutoff = excluded.cutoff`;
    progress(`bench data: ${fmtInt(minuteRows)} minute roll-ups in ${secondsSince(began)} s`);

    // Hourly roll-ups, day after day, each day in series order.
    let hourlyRows = 0;
    const [hourly] = await sql<
      { present: boolean }[]
    >`select to_regclass('reading_rollups_1h') is not null as present`;
    if (hourly?.present) {
      const perHour = 3600 / params.intervalS;
      for (let day = rawFrom.getTime() - params.hourlyDays * DAY_MS; day < rawFrom.getTime(); day += DAY_MS) {
        const result = await sql`
          insert into reading_rollups_1h (device_id, metric, bucket_start, min, max, sum, count, rolled_at)
          select d.id, m.name, h.at, v.avg - 1, v.avg + 1, v.avg * ${perHour}, ${perHour}::int,
                 ${new Date(day + DAY_MS + 60_000).toISOString()}::timestamptz
          from unnest(${deviceIds}::uuid[]) with ordinality d(id, n)
          cross join unnest(${params.metrics}::text[]) with ordinality m(name, k)
          cross join generate_series(${new Date(day).toISOString()}::timestamptz,
                                     ${new Date(day + DAY_MS - 3_600_000).toISOString()}::timestamptz, interval '1 hour') h(at)
          cross join lateral (select round((20 + 10 * sin(extract(epoch from h.at) / 13751 + d.n))::numeric, 2) as avg) v
          order by d.n, m.k, h.at`;
        hourlyRows += result.count;
      }
      const closedTo = Math.floor(cutoff.getTime() / DAY_MS) * DAY_MS;
      for (let day = rawFrom.getTime(); day < closedTo; day += DAY_MS) {
        const result = await sql`
          insert into reading_rollups_1h (device_id, metric, bucket_start, min, max, sum, count, rolled_at)
          select m.device_id, m.metric, h.at, min(m.min), max(m.max), sum(m.sum), sum(m.count)::int,
                 ${new Date(day + DAY_MS + 60_000).toISOString()}::timestamptz
          from reading_rollups_1m m
          cross join lateral (select date_bin('1 hour', m.bucket_start, timestamptz '1970-01-01 00:00:00+00') as at) h
          where m.bucket_start >= ${new Date(day).toISOString()}::timestamptz
            and m.bucket_start < ${new Date(day + DAY_MS).toISOString()}::timestamptz
          group by m.device_id, m.metric, h.at
          order by m.device_id, m.metric, h.at`;
        hourlyRows += result.count;
      }
      await sql`
        insert into rollup_watermarks (name, cutoff) values ('reading_rollups_1h', ${cutoff.toISOString()}::timestamptz)
        on conflict (name) do update set cutoff = excluded.cutoff`;
      progress(`bench data: ${fmtInt(hourlyRows)} hourly roll-ups in ${secondsSince(began)} s`);
    } else {
      progress("bench data: no hourly tier in this schema (reading_rollups_1h): none written");
    }

    const community = await fillCommunity(url, COMMUNITY_DATA, end);

    await sql.unsafe("vacuum (analyze)");
    progress(`bench data: vacuumed and analysed in ${secondsSince(began)} s`);
    community.vacuumed = true;
    return {
      community,
      params,
      rawFrom: rawFrom.toISOString(),
      end: end.toISOString(),
      rawReadings,
      minuteRows,
      hourlyRows,
      ownerId,
      deviceIds,
      buildSeconds: Math.round((performance.now() - began) / 1000),
    };
  } finally {
    await sql.end({ timeout: 5 });
    await db.$client.end({ timeout: 5 });
  }
}

const secondsSince = (t0: number) => ((performance.now() - t0) / 1000).toFixed(1);

/** Whether the OS page cache can be dropped here (root, /proc/sys/vm/drop_caches writable). */
export function canDropPageCache(): boolean {
  try {
    return existsSync("/proc/sys/vm/drop_caches") && (process.getuid?.() ?? -1) === 0;
  } catch {
    return false;
  }
}

/**
 * A day partition of raw readings for every day of the default raw retention before the data's
 * end and the days made ahead after it, as a deployment holds them (the bench data fills its
 * last days only; the others are made empty): every read of raw readings plans and probes them
 * all. Returns how many were made.
 */
export async function makeRetentionPartitions(db: Database, info: BenchDataInfo): Promise<number> {
  const end = new Date(info.end);
  const made = await ensurePartitions(
    db,
    "sensor_readings",
    retentionStart(end, DEFAULT_RAW_RETENTION_DAYS),
    daysAhead(end).to,
  );
  return made.created.length;
}

/** Drops the OS page cache (for cold reads) where permitted; false where it is not. */
export function dropPageCache(): boolean {
  try {
    execFileSync("sh", ["-c", "sync; echo 3 > /proc/sys/vm/drop_caches"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
