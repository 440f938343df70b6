// What the fault suite shares: a private PostgreSQL it may stop and start (never the run's shared
// one), a QoS 1 publisher that records what was acknowledged, and the figures each case prints.
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { ensureDatabase, type RunningPostgres, startEmbeddedPostgres } from "@pulseboard/devstack/embedded";
import { findFreePort } from "@pulseboard/runtime/ports";
import { createDb, createPooledClient, type Database, type SqlClient } from "@pulseboard/schema/client";
import { runMigrations } from "@pulseboard/schema/migrate";
import type { MqttClient } from "mqtt";

/** The embedded run: no DATABASE_URL (cases that do not depend on the database run there only). */
export const embeddedRun = !process.env.DATABASE_URL;

/** One labelled line of figures in the test output, e.g. `faults: x: published 10, lost 0`. */
export function figures(label: string, values: Record<string, number | string>): void {
  const text = Object.entries(values)
    .map(([k, v]) => `${k} ${v}`)
    .join(", ");
  console.log(`faults: ${label}: ${text}`);
}

export interface PrivatePostgres {
  /** The migrated database's URL (what DATABASE_URL would be for the apps). */
  url: string;
  sql: SqlClient;
  db: Database;
  /** Fast shutdown (sessions ended, as a restart does); the port stays reserved for `start`. */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

/** A PostgreSQL cluster of the test's own under /tmp, with a migrated database. */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const tmp = mkdtempSync("/tmp/pulseboard-faults-");
  // As root PostgreSQL runs as `postgres`, which must pass through this folder.
  chmodSync(tmp, 0o755);
  const port = await findFreePort();
  const boot = () => startEmbeddedPostgres({ dataDir: `${tmp}/data`, port, durable: false });
  let server: RunningPostgres | undefined = await boot();
  const url = await ensureDatabase(server.url, "pulseboard_faults");
  await runMigrations(url);
  const sql = createPooledClient(url, { max: 4, applicationName: "pulseboard-faults" });
  return {
    url,
    sql,
    db: createDb(sql),
    async stop() {
      await server?.stop();
      server = undefined;
    },
    async start() {
      server ??= await boot();
    },
    async close() {
      await sql.end({ timeout: 1 }).catch(() => {});
      await server?.stop();
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}

/**
 * A device publishing QoS 1 messages `body(0..)` with up to `window` unacknowledged, until
 * `stop()` or its connection closes. `sent` and `acked` are the sequence numbers it sent and saw
 * acknowledged; `done` resolves once it stopped sending (publishes cut off by a dead connection
 * may never settle, so it does not wait for them).
 */
export function publishStream(
  client: MqttClient,
  topic: string,
  body: (seq: number) => string,
  { window = 50, max = 20_000 }: { window?: number; max?: number } = {},
) {
  const sent = new Set<number>();
  const acked = new Set<number>();
  let stopped = false;
  const closed = new Promise<void>((resolve) => client.once("close", () => resolve()));
  const inflight = new Set<Promise<void>>();
  const done = (async () => {
    let seq = 0;
    while (client.connected && !stopped && seq < max) {
      const n = seq++;
      sent.add(n);
      const p = client
        .publishAsync(topic, body(n), { qos: 1 })
        .then(() => {
          acked.add(n);
        })
        .catch(() => {})
        .finally(() => inflight.delete(p));
      inflight.add(p);
      if (inflight.size >= window) await Promise.race([...inflight, closed]);
    }
  })();
  return {
    sent,
    acked,
    done,
    stop() {
      stopped = true;
      return done;
    },
    /** Resolves once every publish still in flight has settled (on a live connection). */
    settled: () => Promise.allSettled([...inflight]),
  };
}

/** Rows stored per sequence number (the value of metric `metric`) for a device. */
export async function storedPerSeq(
  sql: SqlClient,
  deviceId: string,
  metric = "seq",
): Promise<Map<number, number>> {
  const rows = await sql<{ seq: number; n: number }[]>`
    select value::int as seq, count(*)::int as n from sensor_readings
    where device_id = ${deviceId} and metric = ${metric} group by value`;
  return new Map(rows.map((r) => [r.seq, r.n]));
}

/** What a stream left in the database: acknowledged ones missing, ones stored more than once. */
export function tally(acknowledged: Iterable<number>, stored: Map<number, number>) {
  let lost = 0;
  for (const n of acknowledged) if (!stored.has(n)) lost++;
  let doubled = 0;
  let extraRows = 0;
  for (const count of stored.values()) {
    if (count > 1) {
      doubled++;
      extraRows += count - 1;
    }
  }
  return { lost, doubled, extraRows, stored: stored.size };
}

export async function waitUntil(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
