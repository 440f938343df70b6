// The web app as production runs it (`next build`, then server.ts): a missing secret or a bad
// setting stops it at boot with one line; a complete environment serves. The build needs no database or secrets
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
  async function bootFailure(env: NodeJS.ProcessEnv): Promise<string[]> {
    const start = spawnProcess(
      process.execPath,
      ["--import", "tsx", "server.ts", "--port", String(await findFreePort())],
      {
        cwd: WEB_DIR,
        env: {
          PATH: process.env.PATH,
          NEXT_DIST_DIR: inject("webDistDir"),
          NODE_ENV: "production",
          DATABASE_URL: database.current.url,
          BETTER_AUTH_URL: "https://pulseboard.example.com",
          ...env,
        },
      },
    );
    const { code } = await start.exited;
    expect(code).not.toBe(0);
    return start.stderr().trim().split("\n");
  }

  it("without BETTER_AUTH_SECRET, it stops with one line naming it", async () => {
    expect(await bootFailure({})).toEqual([
      "web: invalid environment: BETTER_AUTH_SECRET is required in production (generate one with `openssl rand -base64 32`)",
    ]);
  }, 60_000);

  it("a TRUSTED_PROXIES entry that is not an address or range stops it, naming the entry", async () => {
    const lines = await bootFailure({
      BETTER_AUTH_SECRET: "test-secret-for-the-web-app-at-least-32-chars",
      TRUSTED_PROXIES: "10.0.0.2, proxy.internal",
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^web: invalid environment: TRUSTED_PROXIES "proxy\.internal" is not an IP address or CIDR range/,
    );
  }, 60_000);

  it("with a complete environment, it serves /healthz", async () => {
    const web = await startWeb(database.current);
    const res = await fetch(`${web.url}/healthz`);
    expect(res.status).toBe(200);
    await web.stop();
  }, 90_000);
});
