// Secrets `pnpm start` needs but nobody set: generated once, kept (0600) in the data folder so
// sessions, signatures and the embedded database's password survive restarts. Production sets
// the app secrets explicitly and brings its own database.
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { z } from "zod";
import { DEFAULT_PASSWORD } from "./embedded";

const localSecrets = z.object({
  BETTER_AUTH_SECRET: z.string().min(32),
  QSTASH_CURRENT_SIGNING_KEY: z.string().min(16),
  QSTASH_NEXT_SIGNING_KEY: z.string().min(16),
  /** The embedded database's superuser password (never given to the apps). */
  EMBEDDED_PG_PASSWORD: z.string().min(1),
});

export type LocalSecrets = z.infer<typeof localSecrets>;

const fresh = (): LocalSecrets => ({
  BETTER_AUTH_SECRET: randomBytes(32).toString("base64"),
  QSTASH_CURRENT_SIGNING_KEY: `sig_${randomBytes(24).toString("base64url")}`,
  QSTASH_NEXT_SIGNING_KEY: `sig_${randomBytes(24).toString("base64url")}`,
  EMBEDDED_PG_PASSWORD: randomBytes(18).toString("base64url"),
});

/**
 * The data folder's secrets, any missing one generated and kept. A database created before its
 * password was generated here keeps the fixed password it was created with.
 */
export async function loadLocalSecrets(
  dataDir: string,
  { existingDatabase }: { existingDatabase: boolean },
): Promise<LocalSecrets> {
  const file = `${dataDir}/secrets.json`;
  let kept: Partial<LocalSecrets> = {};
  if (existsSync(file)) {
    try {
      kept = localSecrets.partial().parse(JSON.parse(readFileSync(file, "utf8")));
    } catch {
      kept = {};
    }
  }
  const secrets: LocalSecrets = {
    ...fresh(),
    ...(existingDatabase ? { EMBEDDED_PG_PASSWORD: DEFAULT_PASSWORD } : {}),
    ...kept,
  };
  if (Object.keys(kept).length !== Object.keys(secrets).length) {
    await mkdir(dataDir, { recursive: true });
    await writeFile(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  }
  return secrets;
}

/** The generated `secrets` whose variable the environment does not set (an empty value is unset). */
export function unlessSet<T extends Record<string, string>>(
  secrets: T,
  env: Record<string, string | undefined>,
): Partial<T> {
  return Object.fromEntries(Object.entries(secrets).filter(([name]) => !env[name])) as Partial<T>;
}
