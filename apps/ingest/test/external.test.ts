// External-broker mode against a real Mosquitto: two workers in one shared group.
import { randomBytes } from "node:crypto";
import { useTestDatabase } from "@pulseboard/devstack/test";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ExternalBroker, externalBrokerAvailable, startExternalBroker } from "./broker-fixture";
import { countReadings, provisionDevice, type RunningIngest, startIngest, until } from "./harness";

const database = useTestDatabase();
let broker: ExternalBroker;
const workers: RunningIngest[] = [];
const prefixes = [`ingest-a-${randomBytes(3).toString("hex")}`, `ingest-b-${randomBytes(3).toString("hex")}`];

describe.skipIf(!externalBrokerAvailable)("external broker (Mosquitto)", () => {
  beforeAll(async () => {
    broker = await startExternalBroker();
    for (const prefix of prefixes) {
      workers.push(
        await startIngest(database.current.url, {
          MQTT_URL: broker.url,
          MQTT_CLIENT_ID: prefix,
          MQTT_SUBSCRIBERS: 2,
        }),
      );
    }
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.close()));
    await broker?.forgetSessions(prefixes.flatMap((p) => [`${p}-0`, `${p}-1`]));
    await broker?.stop();
  });

  it("two workers in one shared group store every message once", async () => {
    const devices = await Promise.all([1, 2, 3].map(() => provisionDevice(database.current.db)));
    const publisher = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
    const perDevice = 150;
    const start = Date.now() - 60_000;
    const sends: Promise<unknown>[] = [];
    for (let i = 0; i < perDevice; i++) {
      for (const d of devices) {
        sends.push(
          publisher.publishAsync(
            `devices/${d.key}/readings`,
            JSON.stringify({ ts: start + i, values: { temperature: i, humidity: i / 2 } }),
            { qos: 1 },
          ),
        );
      }
    }
    await Promise.all(sends);
    await publisher.endAsync();
    for (const d of devices) {
      await until(
        () => countReadings(database.current, d.deviceId),
        (n) => n >= perDevice * 2,
        20_000,
      );
    }
    // Exactly once: the total matches and nothing more arrives.
    await new Promise((r) => setTimeout(r, 300));
    for (const d of devices) expect(await countReadings(database.current, d.deviceId)).toBe(perDevice * 2);
    // Both workers took part.
    for (const w of workers) {
      const text = await (await fetch(`${w.httpUrl}/metrics`)).text();
      const accepted = Number(
        /ingest_messages_accepted_total\{transport="mqtt"\} (\d+)/.exec(text)?.[1] ?? 0,
      );
      expect(accepted).toBeGreaterThan(0);
    }
  });

  it("/readyz reports the subscribers connected", async () => {
    const res = await fetch(`${workers[0]?.httpUrl}/readyz`);
    expect(await res.json()).toEqual({ status: "ready" });
  });
});
