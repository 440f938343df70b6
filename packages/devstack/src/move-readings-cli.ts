// `pnpm db:move-readings [--batch N]`: moves a pre-partitioning database's readings into the day
// partitions (migration 0009 leaves them in sensor_readings_legacy, readable meanwhile), printing
// progress; safe to stop at any time and run again. Over DATABASE_URL_DIRECT (else DATABASE_URL);
// with neither set, the embedded database that `pnpm start` uses.
import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import { errorMessage } from "@pulseboard/runtime/errors";
import { createDb } from "@pulseboard/schema/client";
import {
  finishLegacyMove,
  LEGACY_READINGS,
  legacyTableState,
  moveLegacyBatch,
} from "@pulseboard/schema/queries/legacy-moves";
import postgres from "postgres";
import { ensureDatabase, startEmbeddedPostgres } from "./embedded";
import { loadLocalSecrets } from "./local-secrets";
import { stackConfig } from "./stack-config";

const LOCK_KEY = "pulseboard.move-readings";

async function move(url: string, batch: number) {
  const sql = postgres(url, { max: 2, onnotice: () => {}, prepare: false });
  const lock = await sql.reserve();
  try {
    // One mover at a time (a second would only wait on the first's rows).
    const [held] = await lock<{ ok: boolean }[]>`select pg_try_advisory_lock(hashtext(${LOCK_KEY})) as ok`;
    if (!held?.ok) throw new Error("another db:move-readings is running on this database");
    const db = createDb(sql);
    const state = await legacyTableState(sql, LEGACY_READINGS);
    if (!state.present) {
      console.log("nothing to move: the readings are all in their day partitions");
      return;
    }
    console.error(
      `moving about ${state.estimatedRows.toLocaleString("en")} readings, ${batch} per transaction`,
    );
    const started = performance.now();
    let moved = 0;
    let duplicates = 0;
    let lastReport = started;
    for (;;) {
      const done = await moveLegacyBatch(db, LEGACY_READINGS, batch);
      if (done.moved === 0) break;
      moved += done.moved;
      duplicates += done.duplicates;
      const now = performance.now();
      if (now - lastReport >= 2_000) {
        lastReport = now;
        const rate = Math.round(moved / ((now - started) / 1000));
        const of = state.estimatedRows > 0 ? ` of about ${state.estimatedRows.toLocaleString("en")}` : "";
        console.error(`moved ${moved.toLocaleString("en")}${of} (${rate.toLocaleString("en")}/s)`);
      }
    }
    while (!(await finishLegacyMove(db, LEGACY_READINGS))) {
      // Rows appeared meanwhile (nothing writes the old table, but be sure): move them too.
      const done = await moveLegacyBatch(db, LEGACY_READINGS, batch);
      moved += done.moved;
      duplicates += done.duplicates;
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const was = duplicates === 1 ? "was" : "were";
    const twice =
      duplicates > 0 ? ` (${duplicates.toLocaleString("en")} ${was} stored twice: kept once)` : "";
    console.log(
      `moved ${moved.toLocaleString("en")} readings in ${seconds} s${twice}; the old table is gone`,
    );
  } finally {
    lock.release();
    await sql.end({ timeout: 5 });
  }
}

try {
  const { values } = parseArgs({ options: { batch: { type: "string", default: "10000" } } });
  const batch = Number(values.batch);
  if (!Number.isInteger(batch) || batch < 1 || batch > 1_000_000) {
    throw new Error("--batch must be a whole number from 1 to 1000000");
  }
  const config = stackConfig(process.env);
  const target = config.DATABASE_URL_DIRECT ?? config.DATABASE_URL;
  if (target) {
    await move(target, batch);
  } else {
    const secrets = await loadLocalSecrets(config.dataDir, {
      existingDatabase: existsSync(`${config.dataDir}/postgres/PG_VERSION`),
    });
    const pg = await startEmbeddedPostgres({
      dataDir: `${config.dataDir}/postgres`,
      port: config.EMBEDDED_PG_PORT,
      password: secrets.EMBEDDED_PG_PASSWORD,
    });
    try {
      await move(await ensureDatabase(pg.url, "pulseboard"), batch);
    } finally {
      await pg.stop();
    }
  }
} catch (error) {
  console.error(`db:move-readings: ${errorMessage(error)}`);
  process.exit(1);
}
