// The ingest killed with SIGKILL in the middle of a stream, then restarted: every message the
// publisher saw acknowledged is in the database exactly once — and so is every message it sent
// again after the restart, committed before the crash or not.
import { useTestDatabase } from "@pulseboard/devstack/test";
import { reapAll, spawnTs } from "@pulseboard/devstack/test/process";
import { findFreePort } from "@pulseboard/runtime/ports";
import mqtt from "mqtt";
import { afterAll, describe, expect, it } from "vitest";
import { provisionDevice, SIGNING_KEYS } from "./harness";

const database = useTestDatabase();
afterAll(reapAll);

async function ingestEnv(): Promise<NodeJS.ProcessEnv> {
  return {
    PATH: process.env.PATH,
    HOST: "127.0.0.1",
    DATABASE_URL: database.current.url,
    INGEST_PORT: String(await findFreePort()),
    MQTT_PORT: String(await findFreePort()),
    MQTT_WS_PORT: String(await findFreePort()),
    QSTASH_CURRENT_SIGNING_KEY: SIGNING_KEYS.current,
    QSTASH_NEXT_SIGNING_KEY: SIGNING_KEYS.next,
    DEVICE_RATE_PER_SECOND: "100000",
    DEVICE_RATE_BURST: "100000",
  };
}

describe("crash", () => {
  it("SIGKILL mid-stream loses no acknowledged message and stores none twice", async () => {
    const { deviceId, key } = await provisionDevice(database.current.db);
    const env = await ingestEnv();
    const url = `mqtt://127.0.0.1:${env.MQTT_PORT}`;
    const topic = `devices/${key}/readings`;
    const base = Date.now() - 3_600_000;
    const body = (seq: number) => JSON.stringify({ ts: base + seq, values: { seq } });
    const acked = new Set<number>();
    const sent = new Set<number>();

    let ingest = spawnTs("apps/ingest", "src/server.ts", env);
    await ingest.waitFor(/ingest HTTP listening/);
    const publisher = await mqtt.connectAsync(url, { reconnectPeriod: 0 });
    publisher.on("error", () => {});
    // Stream with up to 50 messages in flight; kill the ingest once 300 are acknowledged.
    let seq = 0;
    let killed = false;
    // mqtt.js may leave QoS 1 publishes of a dead connection pending forever: stop waiting on
    // them once the connection is gone.
    const closed = new Promise<void>((resolve) => publisher.once("close", () => resolve()));
    const streaming = (async () => {
      const inflight = new Set<Promise<void>>();
      // Stop at the kill: mqtt.js queues publishes until it notices the dead socket.
      while (publisher.connected && !killed && seq < 20_000) {
        const n = seq++;
        sent.add(n);
        const p = publisher
          .publishAsync(topic, body(n), { qos: 1 })
          .then(() => {
            acked.add(n);
          })
          .catch(() => {})
          .finally(() => inflight.delete(p));
        inflight.add(p);
        if (inflight.size >= 50) await Promise.race([...inflight, closed]);
      }
    })();
    // Mid-stream: at least 300 acknowledged and some still unacknowledged at the kill.
    while (acked.size < 300 || sent.size <= acked.size) await new Promise((r) => setTimeout(r, 1));
    killed = true;
    ingest.signal("SIGKILL");
    await ingest.exited;
    publisher.end(true);
    await streaming;
    const ackedBeforeCrash = new Set(acked);
    expect(ackedBeforeCrash.size).toBeGreaterThanOrEqual(300);
    expect(sent.size).toBeGreaterThan(ackedBeforeCrash.size);

    // Restart; the device sends again what it never saw acknowledged.
    ingest = spawnTs("apps/ingest", "src/server.ts", env);
    await ingest.waitFor(/ingest HTTP listening/);
    const again = await mqtt.connectAsync(url, { reconnectPeriod: 0 });
    await Promise.all(
      [...sent].filter((n) => !acked.has(n)).map((n) => again.publishAsync(topic, body(n), { qos: 1 })),
    );
    await again.endAsync();
    await ingest.stop();

    const rows = await database.current.sql<{ seq: number; n: number }[]>`
      select value::int as seq, count(*)::int as n from sensor_readings
      where device_id = ${deviceId} and metric = 'seq' group by value`;
    const stored = new Map(rows.map((r) => [r.seq, r.n]));
    for (const n of ackedBeforeCrash) expect(stored.get(n), `acknowledged message ${n}`).toBe(1);
    for (const n of sent) expect(stored.get(n), `message ${n}`).toBe(1);
    expect(rows.every((r) => r.n === 1)).toBe(true);
    expect(stored.size).toBe(sent.size);
  }, 60_000);
});

describe("graceful shutdown", () => {
  it("SIGTERM mid-stream: stops intake, writes and acknowledges what it took, exits 0", async () => {
    const { deviceId, key } = await provisionDevice(database.current.db);
    const env = await ingestEnv();
    const ingest = spawnTs("apps/ingest", "src/server.ts", env);
    await ingest.waitFor(/ingest HTTP listening/);
    const publisher = await mqtt.connectAsync(`mqtt://127.0.0.1:${env.MQTT_PORT}`, { reconnectPeriod: 0 });
    publisher.on("error", () => {});
    const acked: number[] = [];
    const base = Date.now() - 60_000;
    const sends = Array.from({ length: 400 }, (_, n) =>
      publisher
        .publishAsync(`devices/${key}/readings`, JSON.stringify({ ts: base + n, values: { seq: n } }), {
          qos: 1,
        })
        .then(() => acked.push(n))
        .catch(() => {}),
    );
    while (acked.length < 50) await new Promise((r) => setTimeout(r, 2));
    ingest.signal("SIGTERM");
    const { code } = await ingest.exited;
    publisher.end(true);
    // Publishes cut off by the shutdown may never settle: what counts is what was acknowledged.
    await Promise.race([Promise.allSettled(sends), new Promise((r) => setTimeout(r, 2000))]);
    expect(code).toBe(0);
    expect(ingest.output()).toMatch(/"msg":"stopped"/);
    const rows = await database.current.sql<{ seq: number }[]>`
      select value::int as seq from sensor_readings where device_id = ${deviceId} and metric = 'seq'`;
    const stored = new Set(rows.map((r) => r.seq));
    for (const n of acked) expect(stored.has(n), `acknowledged message ${n}`).toBe(true);
  }, 30_000);
});
