// The web app as production runs it (`next build`, then `next start`): a missing secret stops it
// at boot with one line; a complete environment serves. Built into a dist dir of its own, so a
// dev server elsewhere in the run is not disturbed.
import { rmSync } from "node:fs";
import { REPO_ROOT } from "@pulseboard/devstack/paths";
import { useTestDatabase } from "@pulseboard/devstack/test";
import { reapAll, spawnProcess } from "@pulseboard/devstack/test/process";
import { findFreePort } from "@pulseboard/runtime/ports";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const database = useTestDatabase();
const distDir = `.next-test-${process.pid}`;
const webDir = `${REPO_ROOT}apps/web`;
const next = (args: string[], env: NodeJS.ProcessEnv) =>
  spawnProcess(process.execPath, ["node_modules/next/dist/bin/next", ...args], {
    cwd: webDir,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NEXT_TELEMETRY_DISABLED: "1",
      NEXT_DIST_DIR: distDir,
      ...env,
    },
  });

beforeAll(async () => {
  // No database or secret at build time: the build must not need them.
  const build = next(["build"], { NODE_ENV: "production" });
  const { code } = await build.exited;
  if (code !== 0) throw new Error(`next build failed:\n${build.output()}`);
}, 240_000);

afterAll(async () => {
  await reapAll();
  rmSync(`${webDir}/${distDir}`, { recursive: true, force: true });
});

describe("web in production", () => {
  it("without BETTER_AUTH_SECRET, next start stops with one line naming it", async () => {
    const start = next(["start", "--port", String(await findFreePort())], {
      NODE_ENV: "production",
      DATABASE_URL: database.current.url,
      BETTER_AUTH_URL: "https://pulseboard.example.com",
    });
    const { code } = await start.exited;
    expect(code).not.toBe(0);
    const lines = start.stderr().trim().split("\n");
    expect(lines).toEqual([
      "web: invalid environment: BETTER_AUTH_SECRET is required in production (generate one with `openssl rand -base64 32`)",
    ]);
  }, 60_000);

  it("with a complete environment, next start serves /healthz", async () => {
    const port = await findFreePort();
    const start = next(["start", "--port", String(port)], {
      NODE_ENV: "production",
      DATABASE_URL: database.current.url,
      BETTER_AUTH_SECRET: "x".repeat(40),
      BETTER_AUTH_URL: `http://localhost:${port}`,
    });
    await start.waitFor(/Ready in/, 60_000);
    const res = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(res.status).toBe(200);
    await start.stop();
  }, 90_000);
});
