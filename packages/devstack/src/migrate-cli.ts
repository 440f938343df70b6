// `pnpm db:migrate`: applies drizzle/ over the direct endpoint (DATABASE_URL_DIRECT, else
// DATABASE_URL). With neither set it migrates the embedded database that `pnpm start` uses.

import { existsSync } from "node:fs";
import { errorMessage } from "@pulseboard/runtime/errors";
import { runMigrations } from "@pulseboard/schema/migrate";
import { ensureDatabase, startEmbeddedPostgres } from "./embedded";
import { loadLocalSecrets } from "./local-secrets";
import { stackConfig } from "./stack-config";

try {
  const config = stackConfig(process.env);
  const target = config.DATABASE_URL_DIRECT ?? config.DATABASE_URL;
  if (target) {
    await runMigrations(target);
    console.log("migrations applied");
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
      await runMigrations(await ensureDatabase(pg.url, "pulseboard"));
      console.log(`migrations applied to the embedded database in ${config.dataDir}/postgres`);
    } finally {
      await pg.stop();
    }
  }
} catch (error) {
  console.error(`db:migrate: ${errorMessage(error)}`);
  process.exit(1);
}
