// `pnpm reset`: start from scratch. Removes this checkout's data folder (the embedded database,
// local secrets, demo device keys); the next `pnpm start` creates everything again. With
// DATABASE_URL set there is nothing of ours to remove: that database is yours.
import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import { errorMessage } from "@pulseboard/runtime/errors";
import { runningServerPid } from "./embedded";
import { stackConfig } from "./stack-config";

try {
  const { dataDir } = stackConfig(process.env);
  const pid = runningServerPid(`${dataDir}/postgres`);
  if (pid) {
    console.error(
      `reset: the embedded database in ${dataDir} is running (pid ${pid}): stop \`pnpm start\` (Ctrl-C) first`,
    );
    process.exit(1);
  }
  if (!existsSync(dataDir)) {
    console.log(`nothing to reset: ${dataDir} does not exist`);
  } else {
    await rm(dataDir, { recursive: true, force: true });
    console.log(`removed ${dataDir}: the next \`pnpm start\` starts from scratch`);
  }
} catch (error) {
  console.error(`reset: ${errorMessage(error)}`);
  process.exit(1);
}
