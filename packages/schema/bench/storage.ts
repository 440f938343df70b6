// `pnpm bench` (schema): what the readings cost on disk, and what retention costs, on the shared
// bench data (@pulseboard/devstack/bench-data: ≥ 10M raw readings of 100 interleaved devices,
// laid out as the ingest writes them; 100M with `pnpm bench:scale`). On a clone of the template:
// - bytes per raw reading: every partition's heap, TOAST and every index (named), over the rows,
//   as written, then as a deployment keeps them: every closed day's indexes rebuilt packed by the
//   alerter's maintenance (compactClosedPartitions, run here until no closed day is left; 400
//   interleaved series split the key's pages half full), with the rebuild's time per day;
// - bytes per minute and hourly roll-up row;
// - dropping a day of readings the way retention does (dropPartitionsBefore: DETACH … CONCURRENTLY
//   then DROP, on the direct endpoint).
// Goals: ≤ 180 bytes per raw reading including indexes; a day dropped in < 1 s.
// @pulseboard/devstack depends on this package, so it is not declared here (that would be a
// cycle); it resolves through the workspace root, which declares it.
import { fmt1, fmt2, fmtInt, onCleanup, progress, reportResults, runBench } from "@pulseboard/devstack/bench";
import {
  benchDataParams,
  benchTemplate,
  cloneBenchDatabase,
  describeBenchData,
  dropBenchDatabase,
  startBenchServer,
} from "@pulseboard/devstack/bench-data";
import { createDb, createDirectClient, type SqlClient } from "../src/client";
import { compactClosedPartitions, dropPartitionsBefore, listPartitions } from "../src/queries/partitions";

const BYTES_GOAL = 180;
const DROP_GOAL_MS = 1000;

interface Size {
  rows: number;
  heap: number;
  indexes: Record<string, number>;
  total: number;
}

/** Heap (with TOAST and maps) and each index of the partitions of `parent` (or of one table). */
async function sizeOf(sql: SqlClient, tables: string[]): Promise<Size> {
  const size: Size = { rows: 0, heap: 0, indexes: {}, total: 0 };
  for (const table of tables) {
    const [row] = await sql<{ rows: string; heap: string; total: string }[]>`
      select (select count(*) from ${sql(table)})::text as rows,
             (pg_table_size(${table}::regclass))::text as heap,
             (pg_total_relation_size(${table}::regclass))::text as total`;
    size.rows += Number(row?.rows ?? 0);
    size.heap += Number(row?.heap ?? 0);
    size.total += Number(row?.total ?? 0);
    const indexes = await sql<{ parent: string; bytes: string }[]>`
      select coalesce(p.relname, c.relname) as parent, pg_relation_size(c.oid)::text as bytes
      from pg_index i
      join pg_class c on c.oid = i.indexrelid
      left join pg_inherits h on h.inhrelid = c.oid
      left join pg_class p on p.oid = h.inhparent
      where i.indrelid = ${table}::regclass`;
    for (const index of indexes)
      size.indexes[index.parent] = (size.indexes[index.parent] ?? 0) + Number(index.bytes);
  }
  return size;
}

const perRow = (bytes: number, rows: number) => (rows > 0 ? bytes / rows : Number.NaN);

function sizeRows(label: string, size: Size): string[][] {
  return [
    [`${label}: rows`, fmtInt(size.rows), ""],
    [`${label}: heap (with TOAST, maps)`, fmt1(perRow(size.heap, size.rows)), fmtInt(size.heap / 1048576)],
    ...Object.entries(size.indexes).map(([name, bytes]) => [
      `${label}: index ${name}`,
      fmt1(perRow(bytes, size.rows)),
      fmtInt(bytes / 1048576),
    ]),
    [`${label}: **total**`, fmt1(perRow(size.total, size.rows)), fmtInt(size.total / 1048576)],
  ];
}

async function main() {
  const server = await startBenchServer();
  onCleanup("bench server", () => server.stop());
  const params = benchDataParams();
  const { name: template, info } = await benchTemplate(server, params);
  const database = "pulseboard_bench_storage";
  const url = await cloneBenchDatabase(server, template, database);
  onCleanup("bench database", () => dropBenchDatabase(server, database));
  const sql = createDirectClient(url, { max: 1, applicationName: "pulseboard-bench-storage" });
  onCleanup("client", () => sql.end({ timeout: 5 }));

  const partitions = (await listPartitions(sql, "sensor_readings")).map((p) => p.name);
  const indexDefs = await sql<{ indexdef: string }[]>`
    select indexdef from pg_indexes where tablename = 'sensor_readings' order by indexname`;
  progress(
    `indexes on sensor_readings: ${indexDefs.map((i) => i.indexdef.replace(/^CREATE (UNIQUE )?INDEX /, "")).join("; ")}`,
  );
  const raw = await sizeOf(sql, partitions);
  progress(
    `raw readings: ${fmt1(perRow(raw.total, raw.rows))} bytes per reading over ${fmtInt(raw.rows)} rows`,
  );

  // One closed day: the oldest partition holding a whole day.
  const day =
    partitions.find((p) => p >= `sensor_readings_${info.rawFrom.slice(0, 10).replaceAll("-", "")}`) ?? "";
  const dayBefore = await sizeOf(sql, [day]);

  // The maintenance's rebuild of every closed day, one at a time as its runs take them (the
  // newest day of the data is open: closed an hour after it ends, at the time the data ends).
  // Its own pooled handle, as the alerter has: the rebuild holds the direct connection meanwhile.
  const db = createDb(createDirectClient(url, { max: 1, applicationName: "pulseboard-bench-storage-pool" }));
  onCleanup("pool", () => db.$client.end({ timeout: 5 }));
  const dataEnd = new Date(info.end);
  const rebuilds: number[] = [];
  const t0 = performance.now();
  for (;;) {
    const run = await compactClosedPartitions(db, sql, "sensor_readings", dataEnd);
    if (run.compacted.length === 0) break;
    for (const c of run.compacted) {
      rebuilds.push(c.ms);
      progress(
        `rebuilt ${c.partition}'s indexes: ${fmtInt(c.indexBytesBefore / 1048576)} → ${fmtInt(c.indexBytesAfter / 1048576)} MB in ${fmt1(c.ms / 1000)} s`,
      );
    }
  }
  const compactMs = performance.now() - t0;
  const dayAfter = await sizeOf(sql, [day]);
  const compacted = await sizeOf(sql, partitions);
  const reindexMs = rebuilds.length > 0 ? Math.max(...rebuilds) : Number.NaN;
  progress(
    `closed days rebuilt: ${rebuilds.length} in ${fmt1(compactMs / 1000)} s; ${fmt1(perRow(compacted.total, compacted.rows))} bytes per reading after`,
  );

  const rollups: Record<string, Size> = {};
  for (const table of ["reading_rollups_1m", "reading_rollups_1h"]) {
    const [present] = await sql<{ partitioned: boolean | null }[]>`
      select (select relkind = 'p' from pg_class where oid = to_regclass(${table})) as partitioned`;
    if (present?.partitioned === null || present?.partitioned === undefined) continue;
    const tables = present.partitioned
      ? (
          await sql<{ name: string }[]>`
            select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
            where i.inhparent = ${table}::regclass`
        ).map((r) => r.name)
      : [table];
    rollups[table] = await sizeOf(sql, tables);
  }

  // Retention: drop the oldest day the way the alerter's maintenance does.
  const oldest = new Date(info.rawFrom);
  const dropBefore = new Date(oldest.getTime() + 86_400_000);
  const t1 = performance.now();
  const dropped = await dropPartitionsBefore(sql, "sensor_readings", dropBefore);
  const dropMs = performance.now() - t1;
  progress(`dropped ${dropped.dropped.join(", ")} (${fmtInt(dayAfter.rows)} readings) in ${fmt1(dropMs)} ms`);

  const rawBytes = perRow(raw.total, raw.rows);
  const keptBytes = perRow(compacted.total, compacted.rows);
  const conditions = [
    `data: ${describeBenchData(info)}`,
    `server: ${server.description}`,
    `raw indexes: ${indexDefs.map((i) => i.indexdef.replace(/^CREATE (UNIQUE )?INDEX /, "")).join("; ")}`,
  ];
  reportResults("storage", {
    title: [
      "Storage (bytes per row include the row's share of every index; MB = whole table)",
      ...conditions.map((c) => `  ${c}`),
      `  goal: ≤ ${BYTES_GOAL} bytes per raw reading including indexes, as kept (closed days rebuilt by the maintenance): ` +
        `${keptBytes <= BYTES_GOAL ? "met" : "MISSED"} (${fmt1(keptBytes)}; ${fmt1(rawBytes)} as written, before any rebuild)`,
      `  goal: drop a day < ${DROP_GOAL_MS} ms: ${dropMs < DROP_GOAL_MS ? "met" : "MISSED"} (${fmt1(dropMs)} ms)`,
    ].join("\n"),
    header: ["what", "bytes per row", "MB"],
    rows: [
      ...sizeRows("raw, all partitions, as written", raw),
      ...sizeRows(`raw, all partitions, closed days rebuilt (${rebuilds.length} days)`, compacted),
      ...sizeRows(`raw, closed day ${day}, as written`, dayBefore),
      ...sizeRows(
        `same day rebuilt (REINDEX TABLE CONCURRENTLY; slowest day ${fmt1(reindexMs / 1000)} s)`,
        dayAfter,
      ),
      ...Object.entries(rollups).flatMap(([table, size]) => sizeRows(table, size)),
      [
        `drop a day (${fmtInt(dayAfter.rows)} readings): DETACH CONCURRENTLY + DROP`,
        `${fmt2(dropMs)} ms`,
        "",
      ],
    ],
    figures: {
      conditions,
      raw,
      rawBytesPerReading: rawBytes,
      keptBytesPerReading: keptBytes,
      compacted,
      rebuildMs: rebuilds,
      closedDay: { name: day, before: dayBefore, afterReindex: dayAfter },
      rollups,
      drop: { partitions: dropped.dropped, readings: dayAfter.rows, ms: dropMs },
    },
  });
}

await runBench(main);
