// Secrets `pnpm start` needs but nobody set: generated once, kept (0600) beside the embedded
// database so sessions and signatures survive restarts. Production sets them explicitly.
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { z } from "zod";

const localSecrets = z.object({
  BETTER_AUTH_SECRET: z.string().min(32),
  QSTASH_CURRENT_SIGNING_KEY: z.string().min(16),
  QSTASH_NEXT_SIGNING_KEY: z.string().min(16),
});

export type LocalSecrets = z.infer<typeof localSecrets>;

const fresh = (): LocalSecrets => ({
  BETTER_AUTH_SECRET: randomBytes(32).toString("base64"),
  QSTASH_CURRENT_SIGNING_KEY: `sig_${randomBytes(24).toString("base64url")}`,
  QSTASH_NEXT_SIGNING_KEY: `sig_${randomBytes(24).toString("base64url")}`,
});

export async function loadLocalSecrets(dataDir: string): Promise<LocalSecrets> {
  const file = `${dataDir}/secrets.json`;
  if (existsSync(file)) {
    const parsed = localSecrets.safeParse(JSON.parse(readFileSync(file, "utf8")));
    if (parsed.success) return parsed.data;
  }
  const secrets = fresh();
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  return secrets;
}
