// `pnpm community:moderator <user id> [--revoke]`: makes a user a community moderator (or takes
// the role back), by their local user id (the same under Better Auth and Clerk: the settings page
// shows it). Over DATABASE_URL; with it unset, the embedded database of `pnpm start` (running or
// not).
import { existsSync } from "node:fs";
import { connect } from "node:net";
import { parseArgs } from "node:util";
import { errorMessage } from "@pulseboard/runtime/errors";
import { createDb } from "@pulseboard/schema/client";
import { grantModerator, revokeModerator } from "@pulseboard/schema/queries/community-moderators";
import postgres from "postgres";
import { embeddedUrl, ensureDatabase, startEmbeddedPostgres, withDatabase } from "./embedded";
import { loadLocalSecrets } from "./local-secrets";
import { stackConfig } from "./stack-config";

async function apply(url: string, userId: string, revoke: boolean) {
  const sql = postgres(url, { max: 1, onnotice: () => {}, prepare: false });
  try {
    const db = createDb(sql);
    if (revoke) {
      const had = await revokeModerator(db, userId);
      console.log(had ? `${userId} no longer moderates the community` : `${userId} was not a moderator`);
    } else {
      await grantModerator(db, userId, "command");
      console.log(`${userId} moderates the community`);
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** Whether something listens on 127.0.0.1:port (the embedded database of a running `pnpm start`). */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

try {
  const { values, positionals } = parseArgs({
    options: { revoke: { type: "boolean", default: false } },
    allowPositionals: true,
  });
  const [userId] = positionals;
  if (!userId || positionals.length > 1)
    throw new Error("usage: pnpm community:moderator <user id> [--revoke]");
  const config = stackConfig(process.env);
  if (config.DATABASE_URL) {
    await apply(config.DATABASE_URL, userId, values.revoke);
  } else {
    const secrets = await loadLocalSecrets(config.dataDir, {
      existingDatabase: existsSync(`${config.dataDir}/postgres/PG_VERSION`),
    });
    if (await listening(config.EMBEDDED_PG_PORT)) {
      const admin = embeddedUrl(config.EMBEDDED_PG_PORT, secrets.EMBEDDED_PG_PASSWORD);
      await apply(withDatabase(admin, "pulseboard"), userId, values.revoke);
    } else {
      const pg = await startEmbeddedPostgres({
        dataDir: `${config.dataDir}/postgres`,
        port: config.EMBEDDED_PG_PORT,
        password: secrets.EMBEDDED_PG_PASSWORD,
      });
      try {
        await apply(await ensureDatabase(pg.url, "pulseboard"), userId, values.revoke);
      } finally {
        await pg.stop();
      }
    }
  }
} catch (error) {
  console.error(`community:moderator: ${errorMessage(error)}`);
  process.exit(1);
}
