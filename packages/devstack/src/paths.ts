import { fileURLToPath } from "node:url";

/** The repository root. */
export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
/** Where `pnpm start` keeps its embedded database and generated local secrets, between runs. */
export const DATA_DIR = `${REPO_ROOT}.data`;
