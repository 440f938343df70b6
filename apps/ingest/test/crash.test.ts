// The ingest stopped with SIGTERM in the middle of a stream: what it acknowledged is stored, and it
// exits 0. (SIGKILL mid-stream, and the database restarted, are in tests/faults/restarts.test.ts.)
import { useTestDatabase } from "@pulseboard/devstack/test";
import { reapAll, spawnTs } from "@pulseboard/devstack/test/process";
import mqtt from "mqtt";
import { afterAll, describe, expect, it } from "vitest";
import { ingestProcessEnv, provisionDevice } from "./harness";

const database = useTestDatabase();
afterAll(reapAll);

const ingestEnv = () => ingestProcessEnv(database.current.url);

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
