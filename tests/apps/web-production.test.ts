// The web app as production runs it (`next build`, then `next start`): a missing secret stops it
// at boot with one line; a complete environment serves. The build needs no database or secrets
// (the shared test build runs without them).
import { useTestDatabase } from "@pulseboard/devstack/test";
import { reapAll, spawnProcess } from "@pulseboard/devstack/test/process";
import { ensureWebBuild, startWeb, WEB_DIR } from "@pulseboard/devstack/test/web";
import { findFreePort } from "@pulseboard/runtime/ports";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

const database = useTestDatabase();

beforeAll(() => ensureWebBuild(), 300_000);
afterAll(() => reapAll());

describe("web in production", () => {
  it("without BETTER_AUTH_SECRET, next start stops with one line naming it", async () => {
    const start = spawnProcess(
      process.execPath,
      ["node_modules/next/dist/bin/next", "start", "--port", String(await findFreePort())],
      {
        cwd: WEB_DIR,
        env: {
          PATH: process.env.PATH,
          NEXT_DIST_DIR: inject("webDistDir"),
          NODE_ENV: "production",
          DATABASE_URL: database.current.url,
          BETTER_AUTH_URL: "https://pulseboard.example.com",
        },
      },
    );
    const { code } = await start.exited;
    expect(code).not.toBe(0);
    const lines = start.stderr().trim().split("\n");
    expect(lines).toEqual([
      "web: invalid environment: BETTER_AUTH_SECRET is required in production (generate one with `openssl rand -base64 32`)",
    ]);
  }, 60_000);

  it("with a complete environment, next start serves /healthz", async () => {
    const web = await startWeb(database.current);
    const res = await fetch(`${web.url}/healthz`);
    expect(res.status).toBe(200);
    await web.stop();
  }, 90_000);
});
