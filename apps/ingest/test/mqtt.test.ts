// The built-in broker against a real database, with real MQTT clients as devices.
import { useTestDatabase } from "@pulseboard/devstack/test";
import { startTcpProxy } from "@pulseboard/devstack/test/tcp-proxy";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  closed,
  countReadings,
  provisionDevice,
  type RunningIngest,
  startIngest,
  until,
  useMqttClients,
} from "./harness";

const database = useTestDatabase();
let ingest: RunningIngest;
const connect = useMqttClients();

beforeAll(async () => {
  ingest = await startIngest(database.current.url);
});
afterAll(() => ingest?.close());

const device = (url = ingest.mqttUrl, options: mqtt.IClientOptions = {}) => connect(url, options);

describe("built-in broker", () => {
  it("stores each payload shape published with QoS 1, acknowledged after commit", async () => {
    const { deviceId, key } = await provisionDevice(database.current.db);
    const client = await device();
    const ts = Date.now() - 30_000;
    const topic = `devices/${key}/readings`;
    await client.publishAsync(topic, JSON.stringify({ temperature: 21.5, humidity: 40 }), { qos: 1 });
    expect(await countReadings(database.current, deviceId)).toBe(2);
    await client.publishAsync(topic, JSON.stringify({ ts, values: { temperature: 20 } }), { qos: 1 });
    await client.publishAsync(topic, JSON.stringify([{ pressure: 1000 }, { ts: ts + 1, values: { t: 1 } }]), {
      qos: 1,
    });
    await client.publishAsync(
      topic,
      JSON.stringify({ readings: [{ metric: "co2", value: 400, ts: ts + 2 }] }),
      { qos: 1 },
    );
    // Each PUBACK came after its commit: the rows are there the moment publishAsync resolves.
    expect(await countReadings(database.current, deviceId)).toBe(6);
  });

  it("stores QoS 0 publishes too, and over WebSocket", async () => {
    const { deviceId, key } = await provisionDevice(database.current.db);
    const tcp = await device();
    tcp.publish(`devices/${key}/readings`, JSON.stringify({ a: 1 }), { qos: 0 });
    const ws = await device(ingest.wsUrl);
    await ws.publishAsync(`devices/${key}/readings`, JSON.stringify({ b: 2 }), { qos: 1 });
    await until(
      () => countReadings(database.current, deviceId),
      (n) => n === 2,
    );
  });

  it("drops every bad input of the contract (acknowledged, counted, nothing stored)", async () => {
    const { deviceId, key } = await provisionDevice(database.current.db);
    const client = await device();
    const bad = [
      '{"temperature": NaN}',
      '{"temperature": 1e999}',
      '{"temperature": "21.5"}',
      '{"sensor": {"temperature": 21}}',
      '{"bad name": 1}',
      JSON.stringify({ ts: Date.now() + 6 * 60_000, values: { t: 1 } }),
      "{}",
      "[]",
      JSON.stringify(Array.from({ length: 1001 }, () => ({ t: 1 }))),
      '[{"t": 1}, {"t": "x"}]',
    ];
    for (const payload of bad) await client.publishAsync(`devices/${key}/readings`, payload, { qos: 1 });
    expect(client.connected).toBe(true);
    expect(await countReadings(database.current, deviceId)).toBe(0);
    const metrics = await (await fetch(`${ingest.httpUrl}/metrics`)).text();
    expect(metrics).toMatch(/ingest_messages_rejected_total\{transport="mqtt",reason="bad_value"\} [1-9]/);
    expect(metrics).toMatch(/ingest_messages_rejected_total\{transport="mqtt",reason="invalid_json"\} 1/);
  });

  it("refuses an unknown key and a deleted device by closing the connection", async () => {
    const stranger = await device();
    stranger.publish("devices/dk_unknownunknownunknownunknown0000/readings", '{"t": 1}', { qos: 1 });
    expect(await closed(stranger)).toBe(true);

    const { deviceId, key } = await provisionDevice(database.current.db);
    await database.current.sql`delete from devices where id = ${deviceId}`;
    await new Promise((r) => setTimeout(r, 400));
    const deleted = await device();
    deleted.publish(`devices/${key}/readings`, '{"t": 1}', { qos: 1 });
    expect(await closed(deleted)).toBe(true);
  });

  it("refuses publishing to another device's topic when connected as a device", async () => {
    const a = await provisionDevice(database.current.db);
    const b = await provisionDevice(database.current.db);
    const client = await device(ingest.mqttUrl, { username: a.key });
    await client.publishAsync(`devices/${a.key}/readings`, '{"t": 1}', { qos: 1 });
    client.publish(`devices/${b.key}/readings`, '{"t": 2}', { qos: 1 });
    expect(await closed(client)).toBe(true);
    expect(await countReadings(database.current, a.deviceId)).toBe(1);
    expect(await countReadings(database.current, b.deviceId)).toBe(0);
  });

  it("refuses a device key that does not exist at connect: CONNACK 5, not authorized", async () => {
    const error = (await mqtt
      .connectAsync(ingest.mqttUrl, { username: "dk_nopenopenopenopenopenopenopenope", reconnectPeriod: 0 })
      .catch((e: unknown) => e)) as { code?: number; message?: string };
    expect(error.code).toBe(5);
    expect(error.message).toMatch(/not authorized/i);
  });

  it("refuses subscriptions to devices/# and # (SUBACK failure)", async () => {
    const { key } = await provisionDevice(database.current.db);
    const client = await device(ingest.mqttUrl, { username: key });
    // mqtt.js rejects a SUBACK with failure codes; the packet is on the error.
    const error = (await client
      .subscribeAsync(["devices/#", "#", `devices/${key}/readings`], { qos: 1 })
      .catch((e: unknown) => e)) as { packet?: { granted?: number[] } };
    expect(error.packet?.granted).toEqual([128, 128, 128]);
    const other = await device();
    const [ok] = await other.subscribeAsync("weather/today", { qos: 0 });
    expect(ok?.qos).toBe(0);
  });

  it("publishes to other topics are refused", async () => {
    const client = await device();
    client.publish("weather/today", "sunny", { qos: 1 });
    expect(await closed(client)).toBe(true);
  });
});

describe("built-in broker, database down", () => {
  it("QoS 1: no PUBACK while the database is down; acknowledged and stored once when it returns", async () => {
    const port = Number(new URL(database.current.url).port);
    const proxy = await startTcpProxy(port);
    const url = new URL(database.current.url);
    url.port = String(proxy.port);
    // Two tokens and next to no refill: the warm-up takes one, the held message the other. A
    // retry that took a token again would wait 100 s for it (and be counted as delayed).
    const faulty = await startIngest(url.toString(), { DEVICE_RATE_PER_SECOND: 0.01, DEVICE_RATE_BURST: 2 });
    try {
      const { deviceId, key } = await provisionDevice(database.current.db);
      const client = await device(faulty.mqttUrl);
      const topic = `devices/${key}/readings`;
      await client.publishAsync(topic, JSON.stringify({ warmup: 1 }), { qos: 1 });
      proxy.cut();
      let acked = false;
      const publishing = client
        .publishAsync(topic, JSON.stringify({ ts: Date.now() - 1000, values: { t: 42 } }), { qos: 1 })
        .then(() => {
          acked = true;
        });
      await new Promise((r) => setTimeout(r, 1500));
      expect(acked).toBe(false);
      proxy.restore();
      // The acknowledgement waits for the pooled client to reconnect: postgres-js's backoff grows
      // with each connection attempt that failed during the cut (up to 20 s on a slow machine).
      await publishing;
      expect(acked).toBe(true);
      expect(await countReadings(database.current, deviceId)).toBe(2);
      const [row] = await database.current.sql<{ n: number }[]>`
        select count(*)::int as n from sensor_readings where device_id = ${deviceId} and metric = 't'`;
      expect(row?.n).toBe(1);
      const metrics = await (await fetch(`${faulty.httpUrl}/metrics`)).text();
      expect(metrics).toMatch(/^ingest_messages_accepted_total\{transport="mqtt"\} 2$/m);
      expect(metrics).not.toMatch(/^ingest_messages_delayed_total\{[^}]*\} [1-9]/m);
    } finally {
      await faulty.close();
      await proxy.close();
    }
  }, 90_000);
});

describe("built-in broker, over the device's rate", () => {
  const metric = async (running: RunningIngest, pattern: RegExp) =>
    Number(pattern.exec(await (await fetch(`${running.httpUrl}/metrics`)).text())?.[1] ?? 0);

  it("QoS 1: every message is acknowledged and stored, the PUBACKs paced at the rate; other devices are not held", async () => {
    // 100 messages a second after a burst of 10: 400 messages take about 3.9 s.
    const limited = await startIngest(database.current.url, {
      DEVICE_RATE_PER_SECOND: 100,
      DEVICE_RATE_BURST: 10,
    });
    try {
      const flooder = await provisionDevice(database.current.db);
      const other = await provisionDevice(database.current.db);
      const client = await device(limited.mqttUrl);
      const topic = `devices/${flooder.key}/readings`;
      const base = Date.now() - 60_000;
      const started = Date.now();
      let acked = 0;
      const publishing = Promise.all(
        Array.from({ length: 400 }, (_, i) =>
          client
            .publishAsync(topic, JSON.stringify({ ts: base + i, values: { seq: i } }), { qos: 1 })
            .then(() => {
              acked++;
            }),
        ),
      );
      // Meanwhile another device, on its own connection, is answered at once.
      await until(
        async () => acked,
        (n) => n >= 10,
      );
      const otherClient = await device(limited.mqttUrl);
      const otherStarted = Date.now();
      for (let i = 0; i < 5; i++)
        await otherClient.publishAsync(
          `devices/${other.key}/readings`,
          JSON.stringify({ ts: base + i, values: { t: i } }),
          {
            qos: 1,
          },
        );
      const otherMs = Date.now() - otherStarted;
      await publishing;
      const elapsed = Date.now() - started;
      expect(acked).toBe(400);
      // Each PUBACK came after its commit: all 400 are there the moment the last one arrived.
      expect(await countReadings(database.current, flooder.deviceId)).toBe(400);
      expect(await countReadings(database.current, other.deviceId)).toBe(5);
      // Paced: 390 messages past the burst at 100 a second.
      expect(elapsed).toBeGreaterThanOrEqual(3500);
      expect(otherMs).toBeLessThan(1500);
      expect(otherMs).toBeLessThan(elapsed / 2);
      expect(
        await metric(limited, /ingest_messages_delayed_total\{transport="mqtt"\} (\d+)/),
      ).toBeGreaterThanOrEqual(300);
      expect(
        await metric(
          limited,
          /ingest_messages_rejected_total\{transport="mqtt",reason="rate_limited"\} (\d+)/,
        ),
      ).toBe(0);
    } finally {
      await limited.close();
    }
  }, 60_000);

  it("QoS 0: over the rate, dropped and counted", async () => {
    // One message per 100 s after a burst of 5: no token comes back during the test.
    const limited = await startIngest(database.current.url, {
      DEVICE_RATE_PER_SECOND: 0.01,
      DEVICE_RATE_BURST: 5,
    });
    try {
      const { deviceId, key } = await provisionDevice(database.current.db);
      const client = await device(limited.mqttUrl);
      const base = Date.now() - 60_000;
      for (let i = 0; i < 20; i++)
        client.publish(`devices/${key}/readings`, JSON.stringify({ ts: base + i, values: { seq: i } }), {
          qos: 0,
        });
      await until(
        () =>
          metric(limited, /ingest_messages_rejected_total\{transport="mqtt",reason="rate_limited"\} (\d+)/),
        (n) => n === 15,
      );
      await new Promise((r) => setTimeout(r, 200));
      expect(await countReadings(database.current, deviceId)).toBe(5);
      expect(client.connected).toBe(true);
    } finally {
      await limited.close();
    }
  });
});
