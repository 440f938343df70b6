// The MQTT transport against a real broker (Aedes) listening on a free port.
import { once } from "node:events";
import { type AddressInfo, createServer, type Server } from "node:net";
import { parseReadingsPayload } from "@pulseboard/schema/telemetry";
import { Aedes, type AedesOptions, type Client } from "aedes";
import { afterEach, describe, expect, it } from "vitest";
import type { SentReading } from "../src/profiles";
import { runSimulation } from "../src/simulator";

interface Received {
  topic: string;
  qos: number;
  clientId: string;
  body: unknown;
}

interface TestBroker {
  broker: Aedes;
  url: string;
  received: Received[];
  clients: Set<Client>;
  close(): Promise<void>;
}

const open: TestBroker[] = [];

async function startBroker(options: AedesOptions = {}): Promise<TestBroker> {
  const broker = await Aedes.createBroker(options);
  const server: Server = createServer(broker.handle);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const received: Received[] = [];
  const clients = new Set<Client>();
  broker.on("client", (client) => clients.add(client));
  broker.on("publish", (packet, client) => {
    // Aedes also publishes its own $SYS messages, without a client.
    if (!client) return;
    received.push({
      topic: packet.topic,
      qos: packet.qos,
      clientId: client.id,
      body: JSON.parse(packet.payload.toString()),
    });
  });
  const { port } = server.address() as AddressInfo;
  const handle: TestBroker = {
    broker,
    url: `mqtt://127.0.0.1:${port}`,
    received,
    clients,
    close: async () => {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  open.push(handle);
  return handle;
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((b) => b.close()));
});

async function until(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const KEYS = ["dk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "dk_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB", "dk_CCCC"];

// Both clients: mqtt.js (the default) and the lean publisher the benchmarks use.
describe.each(["mqtt.js", "lean"] as const)("MQTT transport (%s client)", (client) => {
  const mqttTransport = (url: string, qos: 0 | 1) => ({ kind: "mqtt" as const, url, qos, client });

  it("publishes QoS 1 to devices/<key>/readings and counts a message acked only on PUBACK", async () => {
    // The broker holds each PUBACK back a little, so an ack before it would show as a short latency.
    const ackDelayMs = 40;
    const b = await startBroker({
      authorizePublish: (_client, _packet, callback) => setTimeout(() => callback(null), ackDelayMs),
    });
    const acks: { key: string; latency: number; readings: readonly SentReading[] }[] = [];
    const sim = await runSimulation({
      devices: KEYS.map((key) => ({ key, profile: "environment" })),
      transport: mqttTransport(b.url, 1),
      intervalMs: 30,
      maxMessages: 5,
      seed: 1,
      onAck: (key, sentAt, ackedAt, readings) => acks.push({ key, latency: ackedAt - sentAt, readings }),
    });
    const totals = await sim.done;

    expect(totals).toMatchObject({ sent: 15, acked: 15, failed: 0, readingsAcked: 60, errors: {} });
    expect(b.received).toHaveLength(15);
    for (const [i, key] of KEYS.entries()) {
      const mine = b.received.filter((r) => r.topic === `devices/${key}/readings`);
      expect(mine).toHaveLength(5);
      expect(new Set(mine.map((r) => r.clientId))).toEqual(new Set([`pulseboard-sim-${i}`]));
      let lastTs = 0;
      for (const r of mine) {
        expect(r.qos).toBe(1);
        const parsed = parseReadingsPayload(r.body, new Date());
        if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
        expect(parsed.readings.map((x) => x.metric)).toEqual(["temperature", "humidity", "pressure", "co2"]);
        const ts = parsed.readings[0]?.recordedAt.getTime() ?? 0;
        expect(ts).toBeGreaterThan(lastTs);
        lastTs = ts;
      }
    }
    expect(acks).toHaveLength(15);
    expect(new Set(acks.map((a) => a.key))).toEqual(new Set(KEYS));
    // Each PUBACK comes with the readings of its message: together, exactly what the broker got.
    const sent = (key: string) =>
      b.received
        .filter((r) => r.topic === `devices/${key}/readings`)
        .flatMap((r) => {
          const { ts, values } = r.body as { ts: number; values: Record<string, number> };
          return Object.entries(values).map(([metric, value]) => ({ metric, value, ts }));
        });
    const order = (rs: readonly SentReading[]) =>
      [...rs].sort((x, y) => `${x.ts}${x.metric}`.localeCompare(`${y.ts}${y.metric}`));
    for (const key of KEYS) {
      const reported = acks.filter((a) => a.key === key).flatMap((a) => a.readings);
      expect(reported).toHaveLength(20);
      expect(order(reported)).toEqual(order(sent(key)));
    }
    for (const a of acks) expect(a.latency).toBeGreaterThanOrEqual(ackDelayMs - 5);
    // The run ended by itself (max messages) and closed every connection.
    await until(() => b.broker.connectedClients === 0);
  });

  it("publishes QoS 0 wearable readings", async () => {
    const b = await startBroker();
    const sim = await runSimulation({
      devices: [
        { key: "dk_w1", profile: "wearable" },
        { key: "dk_w2", profile: "wearable" },
      ],
      transport: mqttTransport(b.url, 0),
      intervalMs: 20,
      maxMessages: 3,
      seed: 2,
    });
    expect(await sim.done).toMatchObject({ sent: 6, acked: 6, failed: 0 });
    await until(() => b.received.length === 6);
    for (const r of b.received) {
      expect(r.qos).toBe(0);
      expect(r.topic).toMatch(/^devices\/dk_w[12]\/readings$/);
      expect(Object.keys((r.body as { values: object }).values)).toEqual(["heart_rate", "steps"]);
    }
  });

  it("reports readings of shape `values` without a time: the server stamps them", async () => {
    const b = await startBroker();
    const acked: SentReading[] = [];
    const sim = await runSimulation({
      devices: [{ key: "dk_v", profile: "environment" }],
      transport: mqttTransport(b.url, 1),
      shape: "values",
      intervalMs: 20,
      maxMessages: 2,
      seed: 5,
      onAck: (_key, _sentAt, _ackedAt, readings) => acked.push(...readings),
    });
    expect(await sim.done).toMatchObject({ acked: 2, readingsAcked: 8 });
    expect(acked).toEqual(
      b.received.flatMap((r) =>
        Object.entries(r.body as Record<string, number>).map(([metric, value]) => ({
          metric,
          value,
          ts: null,
        })),
      ),
    );
  });

  it("counts a refused connection instead of throwing", async () => {
    const probe = createServer().listen(0, "127.0.0.1");
    await once(probe, "listening");
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));

    const sim = await runSimulation({
      devices: [{ key: "dk_x", profile: "environment" }],
      transport: mqttTransport(`mqtt://127.0.0.1:${port}`, 1),
      intervalMs: 50,
      durationMs: 300,
      seed: 1,
    });
    const totals = await sim.done;
    expect(totals.errors.mqtt_ECONNREFUSED).toBeGreaterThanOrEqual(1);
    expect(totals.acked).toBe(0);
    expect(totals.failed).toBe(totals.sent);
    expect(totals.errors.mqtt_not_connected).toBe(totals.sent);
  });

  it("counts a connection the broker refuses", async () => {
    const b = await startBroker({
      authenticate: (_client, _user, _password, done) =>
        done(Object.assign(new Error("no"), { returnCode: 5 }), null),
    });
    const sim = await runSimulation({
      devices: [{ key: "dk_x", profile: "environment" }],
      transport: mqttTransport(b.url, 1),
      intervalMs: 50,
      durationMs: 200,
      seed: 1,
    });
    const totals = await sim.done;
    expect(totals.errors.mqtt_connack_5).toBeGreaterThanOrEqual(1);
    expect(totals).toMatchObject({ acked: 0, failed: totals.sent });
    expect(b.received).toHaveLength(0);
  });

  it.runIf(client === "mqtt.js")(
    "counts a connection the broker closes, and carries on after reconnecting",
    async () => {
      const b = await startBroker();
      const sim = await runSimulation({
        devices: [{ key: "dk_y", profile: "environment" }],
        transport: mqttTransport(b.url, 1),
        intervalMs: 50,
        seed: 1,
      });
      await until(() => sim.counters.acked >= 3);
      for (const c of b.clients) c.close();
      await until(() => (sim.counters.errors.mqtt_closed ?? 0) === 1);
      const ackedBefore = sim.counters.acked;
      // mqtt.js reconnects after its 1 s reconnect period.
      await until(() => sim.counters.acked > ackedBefore + 2, 4000);
      const totals = await sim.stop();
      expect(totals.errors.mqtt_closed).toBe(1);
      expect(totals.errors.mqtt_not_connected).toBeGreaterThanOrEqual(1);
      expect(totals.failed).toBeGreaterThanOrEqual(1);
    },
  );

  it.runIf(client === "lean")(
    "counts a connection the broker closes; its messages fail from then on (no reconnect)",
    async () => {
      // Acks held until the close: the outstanding ones fail with it.
      const held: (() => void)[] = [];
      const b = await startBroker({
        authorizePublish: (_client, _packet, callback) => held.push(() => callback(null)),
      });
      const sim = await runSimulation({
        devices: [{ key: "dk_y", profile: "environment" }],
        transport: mqttTransport(b.url, 1),
        intervalMs: 20,
        maxInFlightPerDevice: 2,
        seed: 1,
      });
      await until(() => held.length === 2);
      for (const release of held.splice(0, 1)) release();
      // Acked, a third message went out: two outstanding at the close.
      await until(() => sim.counters.acked === 1 && held.length === 2);
      for (const c of b.clients) c.close();
      await until(() => (sim.counters.errors.mqtt_closed ?? 0) === 1);
      await until(() => (sim.counters.errors.mqtt_not_connected ?? 0) >= 2);
      const totals = await sim.stop();
      expect(totals).toMatchObject({ acked: 1, errors: { mqtt_closed: 1, mqtt_publish_failed: 2 } });
      expect(totals.failed).toBe(totals.sent - 1);
    },
  );

  it("stop() ends the run and closes every connection; a device never piles up unacked messages", async () => {
    // A broker that never acks: each device stops at its in-flight limit and skips ticks.
    const b = await startBroker({ authorizePublish: () => {} });
    let reported = 0;
    const sim = await runSimulation({
      devices: KEYS.map((key) => ({ key, profile: "environment" })),
      transport: mqttTransport(b.url, 1),
      intervalMs: 10,
      maxInFlightPerDevice: 2,
      stopGraceMs: 100,
      seed: 1,
      onAck: () => {
        reported++;
      },
    });
    expect(b.broker.connectedClients).toBe(3);
    await until(() => sim.counters.skipped >= 10);
    expect(sim.counters.sent).toBe(6);
    const totals = await sim.stop();
    expect(await sim.done).toBe(totals);
    // Never acked: given up at stop, counted as failed.
    expect(totals).toMatchObject({ sent: 6, acked: 0, failed: 6, errors: { abandoned: 6 } });
    expect(reported).toBe(0);
    await until(() => b.broker.connectedClients === 0);
  });
});
