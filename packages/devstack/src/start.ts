// `pnpm start`: the whole product on one machine. With no environment at all it starts an
// embedded PostgreSQL (data kept in the data folder, see ./paths.ts), applies migrations, seeds
// the demo account and the exercise catalog, builds the web app when its build is missing or
// stale, starts ingest, alerter and web, and prints where each listens. `pnpm dev` (--dev) runs
// the web app's development server instead of the production build.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { networkInterfaces } from "node:os";
import { EnvError } from "@pulseboard/runtime/env";
import { errorMessage } from "@pulseboard/runtime/errors";
import { checkPortFree, type PortClaim, PortInUseError } from "@pulseboard/runtime/ports";
import { createDb, createPooledClient, type SqlClient } from "@pulseboard/schema/client";
import { runMigrations } from "@pulseboard/schema/migrate";
import { storeReceivedMail } from "@pulseboard/schema/queries/local-mailbox";
import { ensureDemoAccount, seedCommunity, seedExerciseCatalog } from "@pulseboard/schema/seed";
import { runSimulation, type SimulationHandle } from "@pulseboard/simulator";
import { type DemoDevice, ensureDemoDevices } from "./demo-devices";
import { ensureDemoHistory } from "./demo-history";
import { DEMO_SIMULATOR_SEED } from "./demo-history-curve";
import { ensureDemoWorkouts } from "./demo-workouts";
import { ensureDatabase, type RunningPostgres, startEmbeddedPostgres, withoutPassword } from "./embedded";
import { localOrigins } from "./local-origins";
import { loadLocalSecrets, unlessSet } from "./local-secrets";
import { type MailSink, startMailSink } from "./mail-sink";
import { INGEST_NODE_FLAGS } from "./node-flags";
import { REPO_ROOT } from "./paths";
import { type StackConfig, stackConfig } from "./stack-config";
import { ensureWebBuild, WEB_DIR } from "./web-build";

const DEV = process.argv.includes("--dev");

const say = (line: string) => process.stdout.write(`[pulseboard] ${line}\n`);
const fail = (line: string): never => {
  process.stderr.write(`pulseboard: ${line}\n`);
  process.exit(1);
};

interface AppProcess {
  name: string;
  port: number;
  child: ChildProcess;
  exited: Promise<number | null>;
}

function startApp(
  name: string,
  port: number,
  command: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
): AppProcess {
  const [file, ...args] = command as [string, ...string[]];
  const child = spawn(file, args, { cwd, env, stdio: "inherit" });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { name, port, child, exited };
}

async function waitHealthy(app: AppProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void app.exited.then(() => {
    exited = true;
  });
  while (Date.now() < deadline) {
    if (exited) throw new Error(`${app.name} exited during start-up (its log is above)`);
    try {
      const res = await fetch(`http://127.0.0.1:${app.port}/healthz`, { signal: AbortSignal.timeout(5000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${app.name} did not answer /healthz on port ${app.port} within ${timeoutMs / 1000}s`);
}

const hasExited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

/**
 * Stops the apps. After Ctrl-C the terminal has already sent each app SIGINT and a second signal
 * would cut its graceful shutdown short, so they get a moment to stop on their own first.
 */
async function stopApps(apps: AppProcess[], signalledByTerminal: boolean): Promise<void> {
  await Promise.all(
    apps.map(async (app) => {
      if (signalledByTerminal) await Promise.race([app.exited, new Promise((r) => setTimeout(r, 3000))]);
      if (hasExited(app.child)) return;
      app.child.kill("SIGTERM");
      const timer = setTimeout(() => app.child.kill("SIGKILL"), 15_000);
      await app.exited;
      clearTimeout(timer);
    }),
  );
}

async function main(config: StackConfig): Promise<void> {
  const claims: PortClaim[] = [
    { port: config.WEB_PORT, label: "web", variable: "WEB_PORT" },
    // The local mail sink, unless a mail server is configured.
    ...(config.SMTP_URL
      ? []
      : [{ port: config.SMTP_SINK_PORT, label: "mail sink", variable: "SMTP_SINK_PORT" }]),
    { port: config.INGEST_PORT, label: "ingest HTTP", variable: "INGEST_PORT" },
    { port: config.ALERTER_PORT, label: "alerter HTTP", variable: "ALERTER_PORT" },
    // The ingest's built-in broker, unless an external one is configured.
    ...(config.MQTT_URL
      ? []
      : [
          { port: config.MQTT_PORT, label: "MQTT", variable: "MQTT_PORT" },
          { port: config.MQTT_WS_PORT, label: "MQTT over WebSocket", variable: "MQTT_WS_PORT" },
        ]),
  ];
  for (const claim of claims) await checkPortFree(claim);

  const apps: AppProcess[] = [];
  let simulation: SimulationHandle | undefined;
  let demoDevices: DemoDevice[] = [];
  let stopping = false;
  let pg: RunningPostgres | undefined;
  let mailSink: { sink: MailSink; sql: SqlClient } | undefined;
  let pooledUrl = "";
  let directUrl = "";
  const shutdown = async (code: number, signalledByTerminal = false) => {
    if (stopping) return;
    stopping = true;
    say("stopping…");
    await simulation?.stop();
    await stopApps(apps, signalledByTerminal);
    await mailSink?.sink.close();
    await mailSink?.sql.end({ timeout: 5 });
    await pg?.stop();
    say("stopped");
    process.exit(code);
  };
  process.on("SIGINT", () => void shutdown(0, true));
  process.on("SIGTERM", () => void shutdown(0));
  // The terminal was closed: stop as cleanly as on Ctrl-C (the database is in a session of its own).
  process.on("SIGHUP", () => void shutdown(0));

  try {
    try {
      await mkdir(config.dataDir, { recursive: true });
    } catch (error) {
      throw new Error(
        `cannot create the data folder ${config.dataDir} (${(error as NodeJS.ErrnoException).code}): set PULSEBOARD_DATA_DIR to a folder you can write`,
      );
    }
    const secrets = await loadLocalSecrets(config.dataDir, {
      existingDatabase: existsSync(`${config.dataDir}/postgres/PG_VERSION`),
    });
    const { EMBEDDED_PG_PASSWORD, ...appSecrets } = secrets;

    // The production build runs while the database starts and is migrated and seeded.
    const distDir = process.env.NEXT_DIST_DIR || ".next";
    const webBuild = DEV
      ? Promise.resolve()
      : ensureWebBuild({
          distDir,
          onBuildStart: (reason) =>
            say(`building the web app for production (${reason}); this takes a minute or two, once`),
          onOutput: (chunk) => {
            for (const line of chunk.split("\n"))
              if (line.trim()) process.stdout.write(`  web build │ ${line}\n`);
          },
        });
    // Awaited below; a failure is reported there, not as an unhandled rejection meanwhile.
    webBuild.catch(() => {});

    if (config.DATABASE_URL) {
      pooledUrl = config.DATABASE_URL;
      directUrl = config.DATABASE_URL_DIRECT ?? config.DATABASE_URL;
      say("using the database at DATABASE_URL (no embedded PostgreSQL)");
    } else {
      say(`starting embedded PostgreSQL (data in ${config.dataDir}/postgres)`);
      pg = await startEmbeddedPostgres({
        dataDir: `${config.dataDir}/postgres`,
        port: config.EMBEDDED_PG_PORT,
        password: EMBEDDED_PG_PASSWORD,
      });
      pooledUrl = directUrl = await ensureDatabase(pg.url, "pulseboard");
    }

    await runMigrations(directUrl);
    const sql = createPooledClient(pooledUrl, { max: 1, applicationName: "pulseboard-seed" });
    try {
      const db = createDb(sql);
      const demoId = await ensureDemoAccount(db, {
        email: config.DEMO_EMAIL,
        password: config.DEMO_PASSWORD,
        name: "Demo",
      });
      await seedExerciseCatalog(db);
      // The demo account moderates the community on the embedded defaults only.
      await seedCommunity(db, demoId, { demoModerates: !config.DATABASE_URL });
      demoDevices = await ensureDemoDevices(db, demoId, config.dataDir);
      await ensureDemoWorkouts(db, demoId, demoDevices.find((d) => d.profile === "wearable")?.deviceId);
      // A month of the greenhouse sensor's history, so the long charts and an alert episode show.
      const greenhouse = demoDevices.find((d) => d.profile === "environment");
      if (greenhouse) await ensureDemoHistory(db, demoId, greenhouse.deviceId);
    } finally {
      await sql.end({ timeout: 5 });
    }
    say("database migrated and seeded");
    // Without SMTP_URL, mail goes to a local sink that keeps it in the database, and the app shows
    // each user the mail to their address (nothing leaves the machine).
    if (!config.SMTP_URL) {
      const mailSql = createPooledClient(pooledUrl, { max: 1, applicationName: "pulseboard-mail-sink" });
      const mailDb = createDb(mailSql);
      const sink = await startMailSink({
        port: config.SMTP_SINK_PORT,
        onMessage: (mail) => storeReceivedMail(mailDb, mail),
      });
      mailSink = { sink, sql: mailSql };
    }
    await webBuild;

    // On the embedded defaults the web app answers on every address it serves (typed by hand,
    // or the network address next prints); with BETTER_AUTH_URL set, that and TRUSTED_ORIGINS only.
    const trustedOrigins = process.env.BETTER_AUTH_URL
      ? process.env.TRUSTED_ORIGINS
      : [...localOrigins(config.WEB_PORT, networkInterfaces()), process.env.TRUSTED_ORIGINS]
          .filter(Boolean)
          .join(",");
    const common: NodeJS.ProcessEnv = {
      ...process.env,
      NEXT_TELEMETRY_DISABLED: "1",
      NEXT_DIST_DIR: distDir,
      // What the user set always wins over the generated local secrets.
      ...unlessSet(appSecrets, process.env),
      DATABASE_URL: pooledUrl,
      DATABASE_URL_DIRECT: directUrl,
      WEB_PORT: String(config.WEB_PORT),
      INGEST_PORT: String(config.INGEST_PORT),
      ALERTER_PORT: String(config.ALERTER_PORT),
      MQTT_PORT: String(config.MQTT_PORT),
      MQTT_WS_PORT: String(config.MQTT_WS_PORT),
      ALERTER_URL: process.env.ALERTER_URL ?? `http://127.0.0.1:${config.ALERTER_PORT}`,
      BETTER_AUTH_URL: process.env.BETTER_AUTH_URL ?? `http://localhost:${config.WEB_PORT}`,
      TRUSTED_ORIGINS: trustedOrigins,
      // What the provisioning dialog tells device owners to connect to.
      PUBLIC_MQTT_URL:
        process.env.PUBLIC_MQTT_URL ?? process.env.MQTT_URL ?? `mqtt://localhost:${config.MQTT_PORT}`,
      PUBLIC_INGEST_URL: process.env.PUBLIC_INGEST_URL ?? `http://localhost:${config.INGEST_PORT}`,
      // Links in notices point at the web app.
      APP_URL: process.env.APP_URL ?? process.env.BETTER_AUTH_URL ?? `http://localhost:${config.WEB_PORT}`,
      ...(mailSink ? { SMTP_URL: mailSink.sink.url, LOCAL_MAILBOX: "1" } : {}),
    };
    const node = process.execPath;
    apps.push(
      startApp(
        "ingest",
        config.INGEST_PORT,
        [node, ...INGEST_NODE_FLAGS, "--import", "tsx", "src/server.ts"],
        `${REPO_ROOT}apps/ingest`,
        common,
      ),
      startApp(
        "alerter",
        config.ALERTER_PORT,
        [node, "--import", "tsx", "src/server.ts"],
        `${REPO_ROOT}apps/alerter`,
        common,
      ),
      startApp(
        "web",
        config.WEB_PORT,
        DEV
          ? [node, "node_modules/next/dist/bin/next", "dev", "--port", String(config.WEB_PORT)]
          : [node, "--import", "tsx", "server.ts", "--port", String(config.WEB_PORT)],
        WEB_DIR,
        // server.ts runs the production build; next dev sets development itself.
        DEV ? common : { ...common, NODE_ENV: "production" },
      ),
    );
    for (const app of apps) {
      void app.exited.then((code) => {
        if (stopping) return;
        process.stderr.write(`pulseboard: ${app.name} exited (code ${code}); stopping the rest\n`);
        void shutdown(1);
      });
    }
    await Promise.all(apps.map((app) => waitHealthy(app, 180_000)));
    if (config.SIMULATE) {
      simulation = await runSimulation({
        devices: demoDevices.map((d) => ({ key: d.key, profile: d.profile })),
        transport: { kind: "mqtt", url: config.MQTT_URL ?? `mqtt://127.0.0.1:${config.MQTT_PORT}`, qos: 1 },
        intervalMs: 2000,
        // The history's seed: live readings carry on its curve instead of jumping.
        seed: DEMO_SIMULATOR_SEED,
        clientIdPrefix: "pulseboard-demo-",
      });
    }
  } catch (error) {
    // Stopped (Ctrl-C) while starting: what broke off is not a failure to report.
    if (stopping) return;
    process.stderr.write(`pulseboard: ${errorMessage(error)}\n`);
    await shutdown(1);
    return;
  }

  const pad = (s: string) => s.padEnd(11);
  say("ready");
  console.log(
    [
      "",
      "  Pulseboard is running",
      `  ${pad("web")}http://localhost:${config.WEB_PORT}${DEV ? "  (development server)" : ""}`,
      `  ${pad("ingest")}http://localhost:${config.INGEST_PORT}  (POST /v1/readings, /metrics)`,
      config.MQTT_URL
        ? `  ${pad("mqtt")}${config.MQTT_URL}  (external broker)`
        : `  ${pad("mqtt")}mqtt://localhost:${config.MQTT_PORT}, ws://localhost:${config.MQTT_WS_PORT}  (built-in broker)`,
      `  ${pad("alerter")}http://localhost:${config.ALERTER_PORT}`,
      pg
        ? `  ${pad("postgres")}${withoutPassword(pooledUrl)}  (embedded; password in ${config.dataDir}/secrets.json)`
        : `  ${pad("postgres")}DATABASE_URL`,
      `  ${pad("data")}${config.dataDir}  (pnpm reset starts from scratch)`,
      `  ${pad("demo")}${config.DEMO_EMAIL} / ${config.DEMO_PASSWORD}`,
      mailSink
        ? `  ${pad("mail")}${mailSink.sink.url}  (local sink: each user reads their mail at /mailbox; nothing leaves the machine)`
        : `  ${pad("mail")}SMTP_URL`,
      config.SIMULATE
        ? `  ${pad("simulator")}${demoDevices.length} demo devices publishing every 2 s over MQTT (SIMULATE=0 turns it off)`
        : `  ${pad("simulator")}off`,
      "",
      "  Ctrl-C stops everything.",
      "",
    ].join("\n"),
  );
}

let config: StackConfig;
try {
  config = stackConfig(process.env);
} catch (error) {
  if (error instanceof EnvError) fail(error.message.replace(/^pulseboard: /, ""));
  throw error;
}
main(config).catch((error: unknown) => {
  if (error instanceof PortInUseError) fail(error.message);
  fail(errorMessage(error));
});
