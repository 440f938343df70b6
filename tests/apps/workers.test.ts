// The worker processes as they run in production: booted from server.ts with a real database,
// answering health checks, shutting down cleanly, and refusing a bad environment in one line.
import { createServer, type Server } from "node:net";
import { useTestDatabase } from "@pulseboard/devstack/test";
import { reapAll, spawnTs } from "@pulseboard/devstack/test/process";
import { findFreePort } from "@pulseboard/runtime/ports";
import { afterAll, describe, expect, it } from "vitest";

const database = useTestDatabase();
afterAll(reapAll);

const workers = [
  { name: "ingest", dir: "apps/ingest", portVariable: "INGEST_PORT" },
  { name: "alerter", dir: "apps/alerter", portVariable: "ALERTER_PORT" },
] as const;

/** The environment of a process started by hand: only what the OS provides, nothing of ours. */
function baseEnv(): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME };
}

/** Free ports for the ingest's built-in broker (1883 may be taken on this machine). */
async function brokerPorts(): Promise<NodeJS.ProcessEnv> {
  return { MQTT_PORT: String(await findFreePort()), MQTT_WS_PORT: String(await findFreePort()) };
}

/** What a worker needs to boot against this file's database on `port`. */
async function workerEnv(portVariable: string, port: number): Promise<NodeJS.ProcessEnv> {
  return {
    ...baseEnv(),
    ...(await brokerPorts()),
    HOST: "127.0.0.1",
    [portVariable]: String(port),
    DATABASE_URL: database.current.url,
    QSTASH_CURRENT_SIGNING_KEY: "test-current-signing-key",
    QSTASH_NEXT_SIGNING_KEY: "test-next-signing-key",
  };
}

describe.each(workers)("$name worker", ({ name, dir, portVariable }) => {
  it("boots, answers /healthz and /readyz, and stops cleanly on SIGTERM", async () => {
    const port = await findFreePort();
    const proc = spawnTs(dir, "src/server.ts", await workerEnv(portVariable, port));
    await proc.waitFor(/listening/);
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok" });
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(await ready.json()).toEqual({ status: "ready" });
    expect((await fetch(`http://127.0.0.1:${port}/nope`)).status).toBe(404);

    const { code } = await proc.stop();
    expect(code).toBe(0);
    const lines = proc
      .output()
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { name: string; msg: string });
    expect(lines.every((l) => l.name === name)).toBe(true);
    expect(lines.map((l) => l.msg)).toEqual(expect.arrayContaining(["shutting down", "stopped"]));
  });

  it("with METRICS_PORT, serves /metrics there only, not on its public port", async () => {
    const [port, metricsPort] = [await findFreePort(), await findFreePort()];
    const env = await workerEnv(portVariable, port);
    const split = spawnTs(dir, "src/server.ts", { ...env, METRICS_PORT: String(metricsPort) });
    await split.waitFor(/metrics listening/);
    expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(404);
    const metrics = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain(`${name}_`);
    expect((await fetch(`http://127.0.0.1:${metricsPort}/healthz`)).status).toBe(404);
    expect((await split.stop()).code).toBe(0);
    // Unset: on the app's own port, as before.
    const together = spawnTs(dir, "src/server.ts", env);
    await together.waitFor(/listening/);
    expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(200);
    expect((await together.stop()).code).toBe(0);
  });

  it("answers /readyz with 503 and Retry-After while the database is unreachable", async () => {
    const port = await findFreePort();
    const deadPort = await findFreePort();
    const proc = spawnTs(dir, "src/server.ts", {
      ...baseEnv(),
      ...(await brokerPorts()),
      HOST: "127.0.0.1",
      [portVariable]: String(port),
      DATABASE_URL: `postgres://nobody:secret@127.0.0.1:${deadPort}/nowhere`,
      QSTASH_CURRENT_SIGNING_KEY: "test-current-signing-key",
      QSTASH_NEXT_SIGNING_KEY: "test-next-signing-key",
    });
    await proc.waitFor(/listening/);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(ready.status).toBe(503);
    expect(ready.headers.get("retry-after")).toBe("5");
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    await proc.stop();
    // The database URL's password never reaches a log line.
    expect(proc.output()).not.toContain("secret");
  });

  it("in production, a missing DATABASE_URL stops it with one clear line", async () => {
    const proc = spawnTs(dir, "src/server.ts", { ...baseEnv(), NODE_ENV: "production" });
    const { code } = await proc.exited;
    expect(code).toBe(1);
    const lines = proc.stderr().trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^${name}: invalid environment: DATABASE_URL is required`));
  });

  it("a taken port stops it with one line naming the variable to set", async () => {
    const blocker: Server = createServer();
    const port = await findFreePort();
    await new Promise<void>((r) => blocker.listen(port, "127.0.0.1", r));
    try {
      const proc = spawnTs(dir, "src/server.ts", await workerEnv(portVariable, port));
      const { code } = await proc.exited;
      expect(code).toBe(1);
      expect(proc.stderr().trim().split("\n")).toEqual([
        `${name}: port ${port} (${name} HTTP) is already in use: set ${portVariable} to a free port`,
      ]);
    } finally {
      blocker.close();
    }
  });
});

describe("alerter environment", () => {
  it("in production, requires both QStash signing keys and its public URL", async () => {
    const proc = spawnTs("apps/alerter", "src/server.ts", {
      ...baseEnv(),
      NODE_ENV: "production",
      DATABASE_URL: database.current.url,
    });
    expect((await proc.exited).code).toBe(1);
    expect(proc.stderr().trim()).toBe(
      "alerter: invalid environment: QSTASH_CURRENT_SIGNING_KEY is required in production (QStash signing key); QSTASH_NEXT_SIGNING_KEY is required in production (QStash signing key); ALERTER_PUBLIC_URL is required in production (the URL QStash calls; signatures are bound to it)",
    );
  });
});

describe("web environment", () => {
  it("in production, a missing auth secret and URL stop it with one clear line", async () => {
    const proc = spawnTs("apps/web", "src/env.ts", {
      ...baseEnv(),
      NODE_ENV: "production",
      DATABASE_URL: database.current.url,
    });
    expect((await proc.exited).code).toBe(1);
    const lines = proc.stderr().trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^web: invalid environment: BETTER_AUTH_SECRET is required in production/);
    expect(lines[0]).toMatch(/BETTER_AUTH_URL is required in production/);
  });

  it("in production, accepts a complete environment", async () => {
    const proc = spawnTs("apps/web", "src/env.ts", {
      ...baseEnv(),
      NODE_ENV: "production",
      DATABASE_URL: database.current.url,
      BETTER_AUTH_SECRET: "x".repeat(32),
      BETTER_AUTH_URL: "https://pulseboard.example.com",
    });
    expect((await proc.exited).code).toBe(0);
    expect(proc.stderr()).toBe("");
  });
});
