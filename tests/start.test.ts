// `pnpm start` end to end: the real command, the embedded database, the three apps, the demo
// login, Ctrl-C, and the data kept between runs; and with DATABASE_URL, no embedded database.
import { mkdtempSync, rmSync } from "node:fs";
import { createTestDatabase } from "@pulseboard/devstack/test";
import { groupAlive, reapAll, spawnTs } from "@pulseboard/devstack/test/process";
import { checkPortFree, findFreePort } from "@pulseboard/runtime/ports";
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";

afterAll(reapAll);

interface Ports {
  WEB_PORT: string;
  INGEST_PORT: string;
  ALERTER_PORT: string;
  EMBEDDED_PG_PORT: string;
  MQTT_PORT: string;
  MQTT_WS_PORT: string;
}

async function freePorts(): Promise<Ports> {
  return {
    WEB_PORT: String(await findFreePort()),
    INGEST_PORT: String(await findFreePort()),
    ALERTER_PORT: String(await findFreePort()),
    EMBEDDED_PG_PORT: String(await findFreePort()),
    MQTT_PORT: String(await findFreePort()),
    MQTT_WS_PORT: String(await findFreePort()),
  };
}

function startStack(ports: Ports, extra: NodeJS.ProcessEnv) {
  return spawnTs("", "packages/devstack/src/start.ts", {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...ports,
    ...extra,
  });
}

async function signInDemo(webPort: string): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${webPort}/api/auth/sign-in/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: `http://localhost:${webPort}` },
    body: JSON.stringify({ email: "demo@pulseboard.local", password: "pulseboard-demo" }),
  });
  expect(res.status).toBe(200);
  expect(res.headers.get("set-cookie")).toMatch(/better-auth\.session_token=/);
  const body = (await res.json()) as { user: { id: string } };
  return body.user.id;
}

async function expectAllHealthy(ports: Ports) {
  for (const port of [ports.WEB_PORT, ports.INGEST_PORT, ports.ALERTER_PORT]) {
    const res = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(res.status, `port ${port}`).toBe(200);
  }
  expect((await fetch(`http://127.0.0.1:${ports.INGEST_PORT}/readyz`)).status).toBe(200);
}

/** Ctrl-C: SIGINT to the whole process group; everything exits and the ports are free again. */
async function pressCtrlC(stack: ReturnType<typeof startStack>, ports: Ports) {
  stack.signal("SIGINT");
  const { code } = await stack.exited;
  expect(code).toBe(0);
  const pid = stack.child.pid ?? 0;
  for (let i = 0; i < 50 && groupAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  expect(groupAlive(pid), "processes left behind").toBe(false);
  for (const [variable, port] of Object.entries(ports)) {
    await checkPortFree({ port: Number(port), host: "127.0.0.1", label: variable, variable });
  }
}

describe("pnpm start", () => {
  it("with no environment: embedded PostgreSQL, migrations, demo account, three apps; data kept between runs", async () => {
    const dataDir = mkdtempSync("/tmp/pulseboard-start-");
    try {
      const ports = await freePorts();
      const first = startStack(ports, { PULSEBOARD_DATA_DIR: dataDir });
      await first.waitFor(/Ctrl-C stops everything/, 180_000);
      const banner = first.output();
      expect(banner).toContain(`http://localhost:${ports.WEB_PORT}`);
      expect(banner).toContain(`http://localhost:${ports.INGEST_PORT}`);
      expect(banner).toContain(`http://localhost:${ports.ALERTER_PORT}`);
      expect(banner).toContain(`127.0.0.1:${ports.EMBEDDED_PG_PORT}/pulseboard`);
      expect(banner).toContain("demo@pulseboard.local / pulseboard-demo");
      await expectAllHealthy(ports);
      const userId = await signInDemo(ports.WEB_PORT);
      // The demo devices publish through the built-in broker and their readings are stored.
      expect(banner).toContain("2 demo devices publishing");
      const db = postgres(`postgres://pulseboard:pulseboard@127.0.0.1:${ports.EMBEDDED_PG_PORT}/pulseboard`, {
        max: 1,
      });
      try {
        let readings = 0;
        for (let i = 0; i < 100 && readings === 0; i++) {
          const [row] = await db<{ n: number }[]>`
            select count(*)::int as n from sensor_readings r join devices d on d.id = r.device_id
            join "user" u on u.id = d.owner_id where u.email = 'demo@pulseboard.local' and r.metric = 'heart_rate'`;
          readings = row?.n ?? 0;
          if (readings === 0) await new Promise((r) => setTimeout(r, 100));
        }
        expect(readings).toBeGreaterThan(0);
        // Its workout history: a plan and two sessions, the latest with the wearable's heart rate over it.
        const [history] = await db<{ logs: number; withDevice: number; hr: number }[]>`
          select count(*)::int as logs, count(l.device_id)::int as "withDevice",
                 (select count(*)::int from sensor_readings r join workout_logs w on w.device_id = r.device_id
                  where w.user_id = ${userId} and r.metric = 'heart_rate'
                    and r.recorded_at >= w.performed_at and r.recorded_at < w.ended_at) as hr
          from workout_logs l where l.user_id = ${userId}`;
        expect(history).toMatchObject({ logs: 2, withDevice: 1 });
        expect(history?.hr).toBeGreaterThan(500);
      } finally {
        await db.end();
      }
      await pressCtrlC(first, ports);

      const second = startStack(ports, { PULSEBOARD_DATA_DIR: dataDir });
      await second.waitFor(/Ctrl-C stops everything/, 180_000);
      expect(await signInDemo(ports.WEB_PORT)).toBe(userId);
      await pressCtrlC(second, ports);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 420_000);

  it("with DATABASE_URL: uses that database and starts no embedded one", async () => {
    const database = await createTestDatabase({ empty: true });
    const dataDir = mkdtempSync("/tmp/pulseboard-start-");
    try {
      const ports = await freePorts();
      const stack = startStack(ports, {
        PULSEBOARD_DATA_DIR: dataDir,
        DATABASE_URL: database.url,
        DATABASE_URL_DIRECT: database.directUrl,
      });
      await stack.waitFor(/Ctrl-C stops everything/, 180_000);
      expect(stack.output()).toContain("using the database at DATABASE_URL");
      expect(stack.output()).not.toContain("starting embedded PostgreSQL");
      // Nothing listens on the embedded port.
      await checkPortFree({
        port: Number(ports.EMBEDDED_PG_PORT),
        host: "127.0.0.1",
        label: "pg",
        variable: "x",
      });
      await expectAllHealthy(ports);
      const userId = await signInDemo(ports.WEB_PORT);
      const [row] = await database.sql<
        { id: string }[]
      >`select id from "user" where email = 'demo@pulseboard.local'`;
      expect(row?.id).toBe(userId);
      await pressCtrlC(stack, ports);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
      await database.drop();
    }
  }, 300_000);

  it("a taken port stops it before anything starts, with one line naming the variable", async () => {
    const ports = await freePorts();
    const { createServer } = await import("node:net");
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(Number(ports.INGEST_PORT), "127.0.0.1", r));
    try {
      const stack = startStack(ports, { PULSEBOARD_DATA_DIR: "/tmp/pulseboard-never-created" });
      expect((await stack.exited).code).toBe(1);
      expect(stack.stderr().trim()).toBe(
        `pulseboard: port ${ports.INGEST_PORT} (ingest HTTP) is already in use: set INGEST_PORT to a free port`,
      );
    } finally {
      blocker.close();
    }
  });
});
