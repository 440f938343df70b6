/// <reference lib="dom" />
// `pnpm start` end to end, run as a person runs it (`pnpm start` in a terminal, Ctrl-C): the
// embedded database with its data in a folder only its owner may enter, migrations, the demo
// account, the production web build (this run's, reused: nothing is built twice), the three apps,
// sign-in in Chromium on both loopback names, data kept between runs, `pnpm reset`. With
// DATABASE_URL, no embedded database. Embedded runs only: it starts its own PostgreSQL.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { REPO_ROOT } from "@pulseboard/devstack/paths";
import { createTestDatabase } from "@pulseboard/devstack/test";
import { launchChromium, screenshot } from "@pulseboard/devstack/test/browser";
import {
  groupAlive,
  reapAll,
  spawnInTerminal,
  spawnProcess,
  spawnTs,
} from "@pulseboard/devstack/test/process";
import { ensureWebBuild } from "@pulseboard/devstack/test/web";
import { checkPortFree, findFreePort } from "@pulseboard/runtime/ports";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

const embeddedRun = !process.env.DATABASE_URL;

beforeAll(async () => {
  if (embeddedRun) await ensureWebBuild();
}, 600_000);
afterAll(reapAll);

interface Ports {
  WEB_PORT: string;
  INGEST_PORT: string;
  ALERTER_PORT: string;
  EMBEDDED_PG_PORT: string;
  MQTT_PORT: string;
  MQTT_WS_PORT: string;
  SMTP_SINK_PORT: string;
}

async function freePorts(): Promise<Ports> {
  return {
    WEB_PORT: String(await findFreePort()),
    INGEST_PORT: String(await findFreePort()),
    ALERTER_PORT: String(await findFreePort()),
    EMBEDDED_PG_PORT: String(await findFreePort()),
    MQTT_PORT: String(await findFreePort()),
    MQTT_WS_PORT: String(await findFreePort()),
    SMTP_SINK_PORT: String(await findFreePort()),
  };
}

/** The environment of a fresh terminal, plus the test's ports and this run's web build. */
function terminalEnv(ports: Ports, extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NEXT_DIST_DIR: inject("webDistDir"),
    ...ports,
    ...extra,
  };
}

/** `pnpm <script>` from the repository root, as typed in a terminal. */
function pnpm(script: string, env: NodeJS.ProcessEnv) {
  return spawnProcess("pnpm", [script], { cwd: REPO_ROOT, env });
}

/** The start script itself, for its own words on failure (pnpm adds an ELIFECYCLE line of its own). */
function startDirectly(ports: Ports, extra: NodeJS.ProcessEnv) {
  return spawnTs("", "packages/devstack/src/start.ts", terminalEnv(ports, extra));
}

/** `pnpm start` typed in a terminal (its output is a terminal, as a person's is). */
function startStack(ports: Ports, extra: NodeJS.ProcessEnv) {
  return spawnInTerminal("pnpm start", { cwd: REPO_ROOT, env: terminalEnv(ports, extra) });
}

async function signInDemo(webPort: string, host = "127.0.0.1"): Promise<string> {
  return (await signInDemoSession(webPort, host)).id;
}

async function signInDemoSession(webPort: string, host: string): Promise<{ id: string; cookie: string }> {
  const res = await fetch(`http://${host}:${webPort}/api/auth/sign-in/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: `http://${host}:${webPort}` },
    body: JSON.stringify({ email: "demo@pulseboard.local", password: "pulseboard-demo" }),
  });
  expect(res.status).toBe(200);
  // Served over plain http: the cookie has no __Secure- prefix, so browsers keep it.
  expect(res.headers.get("set-cookie")).toMatch(/^better-auth\.session_token=/);
  const body = (await res.json()) as { user: { id: string } };
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  return { id: body.user.id, cookie };
}

async function expectAllHealthy(ports: Ports) {
  for (const port of [ports.WEB_PORT, ports.INGEST_PORT, ports.ALERTER_PORT]) {
    const res = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(res.status, `port ${port}`).toBe(200);
  }
  expect((await fetch(`http://127.0.0.1:${ports.INGEST_PORT}/readyz`)).status).toBe(200);
}

/** Ctrl-C typed at the terminal: everything exits 0, quietly, and every port (the database's too) is free. */
async function pressCtrlC(stack: ReturnType<typeof startStack>, ports: Ports) {
  stack.pressCtrlC();
  const { code } = await stack.exited;
  expect(code, stack.output().slice(-2000)).toBe(0);
  expect(stack.output()).not.toMatch(/ELIFECYCLE|Command failed/);
  const pid = stack.child.pid ?? 0;
  for (let i = 0; i < 50 && groupAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  expect(groupAlive(pid), "processes left behind").toBe(false);
  for (const [variable, port] of Object.entries(ports)) {
    await checkPortFree({ port: Number(port), host: "127.0.0.1", label: variable, variable });
  }
}

/** A folder only its owner may enter (like a home folder, or `mktemp -d`), for the data. */
function closedFolder(): string {
  const dir = mkdtempSync("/tmp/pulseboard-start-");
  chmodSync(dir, 0o700);
  return dir;
}

describe.skipIf(!embeddedRun)("pnpm start", () => {
  it("with no environment: embedded PostgreSQL in a closed folder, migrations, the demo, a production web app; Ctrl-C exits 0; data kept between runs; pnpm reset", async () => {
    // A data folder made as `mktemp -d` makes it (0700): the cluster inside it must still start.
    const dataDir = closedFolder();
    try {
      const ports = await freePorts();
      const first = startStack(ports, { PULSEBOARD_DATA_DIR: dataDir });
      await first.waitFor(/Ctrl-C stops everything/, 300_000);
      const banner = first.output();
      // The production build of this run was reused, not made again.
      expect(banner).not.toContain("building the web app");
      expect(banner).toContain(`http://localhost:${ports.WEB_PORT}`);
      expect(banner).toContain(`http://localhost:${ports.INGEST_PORT}`);
      expect(banner).toContain(`http://localhost:${ports.ALERTER_PORT}`);
      expect(banner).toContain(`postgres://pulseboard@127.0.0.1:${ports.EMBEDDED_PG_PORT}/pulseboard`);
      expect(banner).toContain(`data       ${dataDir}`);
      expect(banner).toContain("demo@pulseboard.local / pulseboard-demo");
      expect(banner).toContain(`smtp://127.0.0.1:${ports.SMTP_SINK_PORT}  (local sink`);
      // The database password is generated, kept in the data folder, and never printed.
      const { EMBEDDED_PG_PASSWORD: password } = JSON.parse(
        readFileSync(`${dataDir}/secrets.json`, "utf8"),
      ) as {
        EMBEDDED_PG_PASSWORD: string;
      };
      expect(password.length).toBeGreaterThanOrEqual(20);
      expect(first.output()).not.toContain(password);
      await expectAllHealthy(ports);

      // Signing in and up works on both loopback names (the printed one and the typed one).
      // (Better Auth allows 3 sign-ins and 3 sign-ups per 10 s from one address: this test
      // makes at most that many of each.)
      const { id: userId, cookie } = await signInDemoSession(ports.WEB_PORT, "127.0.0.1");
      const signUpAt = (host: string, origin: string) =>
        fetch(`http://${host}:${ports.WEB_PORT}/api/auth/sign-up/email`, {
          method: "POST",
          headers: { "content-type": "application/json", origin },
          body: JSON.stringify({
            email: `someone-${host}@example.com`,
            password: "correct horse battery",
            name: "S",
          }),
        });
      for (const host of ["127.0.0.1", "localhost"]) {
        expect((await signUpAt(host, `http://${host}:${ports.WEB_PORT}`)).status, host).toBe(200);
      }
      // An origin that is not this machine's is still refused.
      expect((await signUpAt("127.0.0.1", "http://evil.example")).status).toBe(403);

      // In Chromium, at the address typed by hand: the production server (no dev overlay).
      const browser = await launchChromium();
      try {
        const page = await browser.newPage();
        const base = `http://127.0.0.1:${ports.WEB_PORT}`;
        await page.goto(`${base}/sign-in`);
        await page.getByLabel("Email").fill("demo@pulseboard.local");
        await page.getByLabel("Password").fill("pulseboard-demo");
        await page.getByRole("button", { name: "Sign in" }).click();
        await page.waitForURL(`${base}/dashboard`);
        await page.getByRole("heading").first().waitFor();
        await screenshot(page, "01-start-demo-dashboard");
        const devMarks = await page.evaluate(() => ({
          overlay: document.querySelector("nextjs-portal") !== null,
          hmr: Array.from(document.querySelectorAll("script")).some((s) =>
            /react-refresh|hmr|webpack-hot|turbopack-hmr/.test(s.src),
          ),
        }));
        expect(devMarks).toEqual({ overlay: false, hmr: false });
      } finally {
        await browser.close();
      }

      // The demo devices publish through the built-in broker and their readings are stored.
      expect(banner).toContain("2 demo devices publishing");
      const db = postgres(
        `postgres://pulseboard:${encodeURIComponent(password)}@127.0.0.1:${ports.EMBEDDED_PG_PORT}/pulseboard`,
        { max: 1 },
      );
      try {
        let readings = 0;
        for (let i = 0; i < 100 && readings === 0; i++) {
          const [row] = await db<{ n: number }[]>`
            select count(*)::int as n from sensor_readings r join devices d on d.id = r.device_id
            join "user" u on u.id = d.owner_id where u.email = 'demo@pulseboard.local' and r.metric = 'heart_rate'
              and r.recorded_at > now() - interval '1 minute'`;
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

        // The greenhouse sensor's 30-day chart has a month of points at first start, and a past alert.
        const [greenhouse] = await db<{ id: string }[]>`
          select id from devices where owner_id = ${userId} and name = 'Greenhouse sensor'`;
        const to = new Date();
        const from = new Date(to.getTime() - 30 * 86_400_000);
        const res = await fetch(
          `http://127.0.0.1:${ports.WEB_PORT}/api/devices/${greenhouse?.id}/readings?metric=temperature&from=${from.toISOString()}&to=${to.toISOString()}`,
          { headers: { cookie } },
        );
        expect(res.status).toBe(200);
        const chart = (await res.json()) as { points: { t: string; count: number }[] };
        const times = chart.points.filter((p) => p.count > 0).map((p) => Date.parse(p.t));
        expect(times.length).toBeGreaterThan(200);
        expect(Math.max(...times) - Math.min(...times)).toBeGreaterThan(28 * 86_400_000);
        const alerts = await fetch(`http://127.0.0.1:${ports.WEB_PORT}/api/alerts?status=resolved`, {
          headers: { cookie },
        });
        expect(((await alerts.json()) as unknown[]).length).toBeGreaterThanOrEqual(1);

        // Mail goes to the local sink and shows in the demo's mailbox: the account e-mail is the
        // demo's one channel, verified, receiving every severity.
        const api = (path: string, method = "GET") =>
          fetch(`http://127.0.0.1:${ports.WEB_PORT}${path}`, {
            method,
            headers: { cookie, origin: `http://127.0.0.1:${ports.WEB_PORT}` },
          });
        const channels = (await (await api("/api/notifications/channels")).json()) as {
          id: string;
          isAccount: boolean;
          verified: boolean;
          severities: string[];
        }[];
        const account = channels.find((c) => c.isAccount);
        expect(account).toMatchObject({ verified: true, severities: ["info", "warning", "critical"] });
        expect(await (await api(`/api/notifications/channels/${account?.id}/test`, "POST")).json()).toEqual({
          ok: true,
          message: "Sent to demo@pulseboard.local.",
        });
        let mail: { subject: string; recipient: string }[] = [];
        for (let i = 0; i < 50 && mail.length === 0; i++) {
          mail = (await (await api("/api/mailbox")).json()) as typeof mail;
          if (mail.length === 0) await new Promise((r) => setTimeout(r, 100));
        }
        expect(mail[0]).toMatchObject({
          subject: "Pulseboard test notice",
          recipient: "demo@pulseboard.local",
        });
      } finally {
        await db.end();
      }
      await pressCtrlC(first, ports);

      const second = startStack(ports, { PULSEBOARD_DATA_DIR: dataDir });
      await second.waitFor(/Ctrl-C stops everything/, 180_000);
      expect(await signInDemo(ports.WEB_PORT)).toBe(userId);
      await pressCtrlC(second, ports);

      // pnpm reset: the data folder is gone; the next start would begin from scratch.
      const reset = pnpm("reset", terminalEnv(ports, { PULSEBOARD_DATA_DIR: dataDir }));
      expect((await reset.exited).code, reset.output()).toBe(0);
      expect(reset.output()).toContain(`removed ${dataDir}`);
      expect(existsSync(dataDir)).toBe(false);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 600_000);

  it.skipIf(process.getuid?.() !== 0)(
    "as root, a data folder the postgres user cannot reach stops it with one line saying what to do",
    async () => {
      const parent = closedFolder();
      mkdirSync(`${parent}/inner`);
      try {
        const stack = startDirectly(await freePorts(), { PULSEBOARD_DATA_DIR: `${parent}/inner/data` });
        expect((await stack.exited).code).toBe(1);
        const lines = stack.stderr().trim().split("\n");
        expect(lines).toHaveLength(1);
        expect(lines[0]).toMatch(
          /^pulseboard: the postgres user .* cannot reach .*\/inner\/data, because a folder above it is closed to other users: set PULSEBOARD_DATA_DIR to a folder it can reach/,
        );
        expect(stack.output()).not.toMatch(/\n\s+at /);
      } finally {
        rmSync(parent, { recursive: true, force: true });
      }
    },
    60_000,
  );

  it("with DATABASE_URL: uses that database and starts no embedded one", async () => {
    const database = await createTestDatabase({ empty: true });
    const dataDir = closedFolder();
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
      const stack = startDirectly(ports, { PULSEBOARD_DATA_DIR: "/tmp/pulseboard-never-created" });
      expect((await stack.exited).code).toBe(1);
      expect(stack.stderr().trim()).toBe(
        `pulseboard: port ${ports.INGEST_PORT} (ingest HTTP) is already in use: set INGEST_PORT to a free port`,
      );
    } finally {
      blocker.close();
    }
  });
});
