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

describe.skipIf(!externalBrokerAvailable)("external broker (Mosquitto), over a device's rate", () => {
  let rateBroker: ExternalBroker;
  let worker: RunningIngest;
  const prefix = `ingest-rate-${randomBytes(3).toString("hex")}`;
  const metric = async (pattern: RegExp) =>
    Number(pattern.exec(await (await fetch(`${worker.httpUrl}/metrics`)).text())?.[1] ?? 0);

  beforeAll(async () => {
    rateBroker = await startExternalBroker();
    // 10 messages a second after a burst of 5; up to 20 of a device's messages wait at once.
    worker = await startIngest(database.current.url, {
      MQTT_URL: rateBroker.url,
      MQTT_CLIENT_ID: prefix,
      MQTT_SUBSCRIBERS: 2,
      DEVICE_RATE_PER_SECOND: 10,
      DEVICE_RATE_BURST: 5,
      MQTT_MAX_DELAYED_PER_DEVICE: 20,
    });
  });
  afterAll(async () => {
    await worker?.close();
    await rateBroker?.forgetSessions([`${prefix}-0`, `${prefix}-1`]);
    await rateBroker?.stop();
  });

  it("stores every message of a device over its rate, paced, while another device's are not delayed", async () => {
    const flooder = await provisionDevice(database.current.db);
    const other = await provisionDevice(database.current.db);
    const publisher = await mqtt.connectAsync(rateBroker.url, { reconnectPeriod: 0 });
    const base = Date.now() - 60_000;
    const started = Date.now();
    // 25 at once: 5 from the burst, 20 waiting their turn (the last about 2 s).
    await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        publisher.publishAsync(
          `devices/${flooder.key}/readings`,
          JSON.stringify({ ts: base + i, values: { seq: i } }),
          { qos: 1 },
        ),
      ),
    );
    const otherStarted = Date.now();
    await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        publisher.publishAsync(
          `devices/${other.key}/readings`,
          JSON.stringify({ ts: base + i, values: { t: i } }),
          { qos: 1 },
        ),
      ),
    );
    await until(
      () => countReadings(database.current, other.deviceId),
      (n) => n === 5,
    );
    const otherMs = Date.now() - otherStarted;
    const flooderAtOther = await countReadings(database.current, flooder.deviceId);
    await until(
      () => countReadings(database.current, flooder.deviceId),
      (n) => n === 25,
    );
    const flooderMs = Date.now() - started;
    await publisher.endAsync();
    // The other device's messages went past the waiting ones.
    expect(flooderAtOther).toBeLessThan(25);
    expect(otherMs).toBeLessThan(1500);
    // Paced: 20 past the burst at 10 a second.
    expect(flooderMs).toBeGreaterThanOrEqual(1500);
    // About 20 waited (fewer if a token came back while the 25 arrived).
    const delayed = await metric(/ingest_messages_delayed_total\{transport="mqtt"\} (\d+)/);
    expect(delayed).toBeGreaterThanOrEqual(17);
    expect(delayed).toBeLessThanOrEqual(20);
    expect(
      await metric(/ingest_messages_rejected_total\{transport="mqtt",reason="rate_limited"\} (\d+)/),
    ).toBe(0);
    // Nothing more arrives: each stored once.
    await new Promise((r) => setTimeout(r, 300));
    expect(await countReadings(database.current, flooder.deviceId)).toBe(25);
  });

  it("past the device's waiting bound, messages are stored at once rather than dropped", async () => {
    const flooder = await provisionDevice(database.current.db);
    const publisher = await mqtt.connectAsync(rateBroker.url, { reconnectPeriod: 0 });
    const base = Date.now() - 60_000;
    const pastBefore = await metric(
      /ingest_messages_admitted_past_rate_bound_total\{transport="mqtt"\} (\d+)/,
    );
    await Promise.all(
      Array.from({ length: 80 }, (_, i) =>
        publisher.publishAsync(
          `devices/${flooder.key}/readings`,
          JSON.stringify({ ts: base + i, values: { seq: i } }),
          { qos: 1 },
        ),
      ),
    );
    await publisher.endAsync();
    await until(
      () => countReadings(database.current, flooder.deviceId),
      (n) => n === 80,
    );
    const past =
      (await metric(/ingest_messages_admitted_past_rate_bound_total\{transport="mqtt"\} (\d+)/)) - pastBefore;
    // 5 from the burst, at most 20 waiting at once (more as tokens come back while the 80 arrive):
    // about 55 past the bound, fewer on a slow machine.
    expect(past).toBeGreaterThanOrEqual(20);
    expect(past).toBeLessThanOrEqual(55);
  });
});
