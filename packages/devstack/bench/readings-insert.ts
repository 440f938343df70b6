// `pnpm bench`: what the readings table's indexes cost on insert. The same batches go into three
// copies of sensor_readings that differ only in their indexes:
//   seed      the seed's (device_id, recorded_at) index alone — no once-only key
//   chosen    seed index + unique (device_id, metric, recorded_at) — what the migration creates
//   unique    the unique index alone
// Uses DATABASE_URL when set, otherwise a throwaway embedded PostgreSQL.
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { findFreePort } from "@pulseboard/runtime/ports";
import postgres from "postgres";
import { ensureDatabase, type RunningPostgres, startEmbeddedPostgres } from "../src/embedded";

const ROWS = Number(process.env.BENCH_ROWS ?? 300_000);
const BATCH = Number(process.env.BENCH_BATCH ?? 1000);
const DEVICES = 50;
const METRICS = ["temperature", "humidity", "pressure", "co2"];

const variants: Record<string, string[]> = {
  seed: ["create index on bench_readings_seed (device_id, recorded_at)"],
  chosen: [
    "create index on bench_readings_chosen (device_id, recorded_at)",
    "create unique index on bench_readings_chosen (device_id, metric, recorded_at)",
  ],
  unique: ["create unique index on bench_readings_unique (device_id, metric, recorded_at)"],
};

async function main() {
  let embedded: RunningPostgres | undefined;
  let tmp: string | undefined;
  let adminUrl = process.env.DATABASE_URL_DIRECT || process.env.DATABASE_URL;
  if (!adminUrl) {
    tmp = mkdtempSync("/tmp/pulseboard-bench-");
    chmodSync(tmp, 0o755);
    embedded = await startEmbeddedPostgres({ dataDir: `${tmp}/data`, port: await findFreePort() });
    adminUrl = embedded.url;
  }
  const url = await ensureDatabase(adminUrl, "pulseboard_bench");
  const sql = postgres(url, { prepare: false, max: 1, onnotice: () => {} });
  try {
    const deviceIds = Array.from({ length: DEVICES }, () => crypto.randomUUID());
    const start = Date.UTC(2026, 0, 1);
    // Readings as devices send them: each device reports every metric once a second.
    const batches: { device: string[]; metric: string[]; value: number[]; at: Date[] }[] = [];
    for (let offset = 0; offset < ROWS; offset += BATCH) {
      const b = { device: [] as string[], metric: [] as string[], value: [] as number[], at: [] as Date[] };
      for (let i = offset; i < Math.min(offset + BATCH, ROWS); i++) {
        const tick = Math.floor(i / (DEVICES * METRICS.length));
        b.device.push(deviceIds[i % DEVICES] as string);
        b.metric.push(METRICS[Math.floor(i / DEVICES) % METRICS.length] as string);
        b.value.push(Math.round(Math.random() * 1000) / 10);
        b.at.push(new Date(start + tick * 1000));
      }
      batches.push(b);
    }

    console.log(
      `sensor_readings insert cost: ${ROWS} rows in batches of ${BATCH} (unnest arrays, on conflict do nothing)`,
    );
    console.log("variant   rows/s     ms/batch  table+indexes");
    for (const [name, indexes] of Object.entries(variants)) {
      const table = `bench_readings_${name}`;
      await sql.unsafe(`drop table if exists ${table}`);
      await sql.unsafe(`create table ${table} (
        id uuid primary key default gen_random_uuid(),
        device_id uuid not null, metric text not null, value numeric not null,
        recorded_at timestamptz not null)`);
      for (const ddl of indexes) await sql.unsafe(ddl);
      const began = performance.now();
      for (const b of batches) {
        await sql`
          insert into ${sql(table)} (device_id, metric, value, recorded_at)
          select * from unnest(${b.device}::uuid[], ${b.metric}::text[], ${b.value}::numeric[], ${b.at.map((d) => d.toISOString())}::timestamptz[])
          on conflict do nothing`;
      }
      const ms = performance.now() - began;
      const [size] = await sql<
        { size: string }[]
      >`select pg_size_pretty(pg_total_relation_size(${table})) as size`;
      console.log(
        `${name.padEnd(9)} ${String(Math.round(ROWS / (ms / 1000))).padStart(7)}  ${(ms / batches.length).toFixed(2).padStart(8)}  ${size?.size}`,
      );
      await sql.unsafe(`drop table ${table}`);
    }
  } finally {
    await sql.end();
    await embedded?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
