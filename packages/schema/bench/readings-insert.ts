// `pnpm bench`: what the readings table's indexes cost on insert. The same batches go into three
// copies of sensor_readings that differ only in their indexes:
//   seed      the seed's (device_id, recorded_at) index alone — no once-only key
//   chosen    seed index + unique (device_id, metric, recorded_at) — what the migration creates
//   unique    the unique index alone
// Uses DATABASE_URL when set, otherwise a throwaway embedded PostgreSQL (durable: fsync on).
// @pulseboard/devstack depends on this package, so it is not declared here (that would be a
// cycle); it resolves through the workspace root, which declares it.
import { benchDatabase, onCleanup, progress, reportResults, runBench } from "@pulseboard/devstack/bench";
import postgres from "postgres";

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
  // Tables of its own, no migrations: the copies differ only in their indexes.
  const database = await benchDatabase({ name: "pulseboard_bench", migrate: false });
  onCleanup("database", () => database.close());
  const sql = postgres(database.directUrl, { prepare: false, max: 1, onnotice: () => {} });
  onCleanup("benchmark client", () => sql.end());
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

  progress(
    `sensor_readings insert cost: ${ROWS} rows in batches of ${BATCH} (unnest arrays, on conflict do nothing)`,
  );
  const results: { variant: string; rowsPerSecond: number; msPerBatch: number; size: string }[] = [];
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
    const result = {
      variant: name,
      rowsPerSecond: Math.round(ROWS / (ms / 1000)),
      msPerBatch: Number((ms / batches.length).toFixed(2)),
      size: size?.size ?? "",
    };
    results.push(result);
    progress(`  ${name}: ${result.rowsPerSecond} rows/s`);
    await sql.unsafe(`drop table ${table}`);
  }
  reportResults("readings-insert", {
    title: `sensor_readings insert cost: ${ROWS} rows in batches of ${BATCH} (unnest arrays, on conflict do nothing)`,
    header: ["variant", "rows/s", "ms/batch", "table+indexes"],
    rows: results.map((r) => [r.variant, String(r.rowsPerSecond), r.msPerBatch.toFixed(2), r.size]),
    figures: { rows: ROWS, batch: BATCH, devices: DEVICES, variants: results },
  });
}

await runBench(main);
