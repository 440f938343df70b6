import { createHash } from "node:crypto";
import { realpathSync } from "node:fs";
import { basename } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/**
 * Where root keeps what the `postgres` OS user must reach: copies of the embedded binaries and
 * each checkout's data (PostgreSQL runs as `postgres` when started as root, and a checkout may sit
 * in a folder only root can enter).
 */
export const PG_HOME = "/var/lib/pulseboard";

/**
 * Where `pnpm start` keeps the embedded database, local secrets and demo device keys unless
 * PULSEBOARD_DATA_DIR says otherwise: `.data/` in the checkout for an ordinary user; for root, a
 * folder of this checkout's own under PG_HOME, named after the checkout and a digest of its real
 * path, so two checkouts never share data.
 */
export function defaultDataDir({ root, uid }: { root: string; uid: number }): string {
  const checkout = root.replace(/\/+$/, "");
  if (uid !== 0) return `${checkout}/.data`;
  const digest = createHash("sha256").update(checkout).digest("hex").slice(0, 10);
  const name = basename(checkout).replace(/[^A-Za-z0-9._-]/g, "_") || "checkout";
  return `${PG_HOME}/${name}-${digest}`;
}

/** This checkout's default data folder, for the user running this process. */
export function checkoutDataDir(): string {
  return defaultDataDir({ root: realpathSync(REPO_ROOT), uid: process.getuid?.() ?? 1000 });
}
