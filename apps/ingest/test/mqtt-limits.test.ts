// What a client costs the built-in broker before it proves a key, over real sockets: packet size
// (checked on the header as bytes arrive), connect timeout, connections per address, $SYS.
import { connect as connectTcp, type Socket } from "node:net";
import { useTestDatabase } from "@pulseboard/devstack/test";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
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
const connect = useMqttClients();
const MAX_BODY = 4096;
let ingest: RunningIngest;

beforeAll(async () => {
  ingest = await startIngest(database.current.url, {
    INGEST_MAX_BODY_BYTES: MAX_BODY,
    MQTT_CONNECT_TIMEOUT_MS: 600,
  });
});
afterAll(() => ingest?.close());

/** A JSON body of exactly `size` bytes (padded with spaces, which JSON allows). */
function bodyOf(size: number, ts: number): string {
  const json = JSON.stringify({ ts, values: { t: 1 } });
  return json + " ".repeat(size - json.length);
}

/** MQTT's variable-length "remaining length" field. */
function remainingLength(n: number): number[] {
  const bytes: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    bytes.push(byte);
  } while (n > 0);
  return bytes;
}

// CONNECT, MQTT 3.1.1, clean session, keepalive 60 s, empty client id.
const CONNECT = Buffer.from([
  0x10, 0x0c, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0x02, 0x00, 0x3c, 0x00, 0x00,
]);

function rawSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connectTcp(port, "127.0.0.1", () => resolve(socket));
    socket.once("error", reject);
  });
}

function port(url: string): number {
  return Number(new URL(url).port);
}

describe("built-in broker, packet size", () => {
  it("stores a payload of exactly INGEST_MAX_BODY_BYTES; one byte more closes the connection, storing nothing", async () => {
    const { deviceId, key } = await provisionDevice(database.current.db);
    const client = await connect(ingest.mqttUrl);
    const topic = `devices/${key}/readings`;
    await client.publishAsync(topic, bodyOf(MAX_BODY, Date.now() - 10_000), { qos: 1 });
    expect(await countReadings(database.current, deviceId)).toBe(1);

    client.publish(topic, bodyOf(MAX_BODY + 1, Date.now() - 5_000), { qos: 1 });
    expect(await closed(client)).toBe(true);
    await new Promise((r) => setTimeout(r, 200));
    expect(await countReadings(database.current, deviceId)).toBe(1);
    const metrics = await (await fetch(`${ingest.httpUrl}/metrics`)).text();
    expect(metrics).toMatch(/ingest_messages_rejected_total\{transport="mqtt",reason="too_large"\} [1-9]/);
  });

  it("a packet announcing more than the limit is cut off at its header (TCP and WebSocket), storing nothing", async () => {
    const { deviceId, key } = await provisionDevice(database.current.db);
    for (const url of [ingest.mqttUrl, ingest.wsUrl]) {
      const client = await connect(url);
      // Payload and topic together past the limit plus its allowance for topic and packet id.
      client.publish(`devices/${key}/readings`, bodyOf(MAX_BODY + 1000, Date.now() - 1000), { qos: 1 });
      expect(await closed(client), url).toBe(true);
    }
    await new Promise((r) => setTimeout(r, 200));
    expect(await countReadings(database.current, deviceId)).toBe(0);
  });

  it("64 MB announced, anonymously: the connection is closed after the header, not after the body", async () => {
    const socket = await rawSocket(port(ingest.mqttUrl));
    const connack = new Promise<Buffer>((resolve) => socket.once("data", resolve));
    socket.write(CONNECT);
    expect([...(await connack)]).toEqual([0x20, 0x02, 0x00, 0x00]);
    const rssBefore = process.memoryUsage().rss;
    const announced = 64 * 1024 * 1024;
    // PUBLISH QoS 0 to a 6-byte topic, then its body in 64 KiB chunks until the broker hangs up.
    socket.write(Buffer.from([0x30, ...remainingLength(announced), 0x00, 0x06, ...Buffer.from("a/b/cd")]));
    socket.on("error", () => {});
    const gone = new Promise<void>((resolve) => socket.once("close", () => resolve()));
    let sent = 0;
    let open = true;
    void gone.then(() => {
      open = false;
    });
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    while (open && sent < announced) {
      if (!socket.write(chunk)) await Promise.race([new Promise((r) => socket.once("drain", r)), gone]);
      sent += chunk.length;
    }
    await gone;
    // Loopback buffers take a few MB before the close is noticed; the body was 64 MB.
    expect(sent).toBeLessThan(16 * 1024 * 1024);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(40 * 1024 * 1024);
  });

  it("a WebSocket message over the limit closes the connection (ws maxPayload)", async () => {
    const socket = new WebSocket(ingest.wsUrl, "mqtt");
    await new Promise((resolve, reject) => {
      socket.once("open", resolve);
      socket.once("error", reject);
    });
    const code = new Promise<number>((resolve) => socket.once("close", (c) => resolve(c)));
    socket.send(Buffer.alloc(MAX_BODY + 1024, 0x61));
    // 1009: message too big.
    expect(await code).toBe(1009);
  });
});

describe("built-in broker, before a key is proven", () => {
  it("closes a connection that sends no CONNECT within MQTT_CONNECT_TIMEOUT_MS", async () => {
    const started = Date.now();
    const socket = await rawSocket(port(ingest.mqttUrl));
    await new Promise((resolve) => socket.once("close", resolve));
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(500);
    expect(elapsed).toBeLessThan(5000);
  });

  it("refuses the connection past MQTT_MAX_CONNECTIONS_PER_ADDRESS from one address, until one closes", async () => {
    const capped = await startIngest(database.current.url, { MQTT_MAX_CONNECTIONS_PER_ADDRESS: 3 });
    try {
      const attempt = (url: string) =>
        mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 3000 }, false).then(
          (client) => client,
          () => undefined,
        );
      const held = [
        await connect(capped.mqttUrl),
        await connect(capped.wsUrl),
        await connect(capped.mqttUrl),
      ];
      expect(held.every((c) => c.connected)).toBe(true);
      // The fourth, over TCP or WebSocket: closed before any CONNACK.
      expect(await attempt(capped.mqttUrl)).toBeUndefined();
      expect(await attempt(capped.wsUrl)).toBeUndefined();
      await held[0]?.endAsync();
      const admitted = await until(
        () => attempt(capped.mqttUrl),
        (c) => c !== undefined,
        5000,
      );
      expect(admitted?.connected).toBe(true);
      await admitted?.endAsync();
    } finally {
      await capped.close();
    }
  });

  it("refuses a subscription to $SYS/# (SUBACK failure)", async () => {
    const client = await connect(ingest.mqttUrl);
    const error = (await client
      .subscribeAsync(["$SYS/#", "$SYS/+/heartbeat"], { qos: 0 })
      .catch((e: unknown) => e)) as {
      packet?: { granted?: number[] };
    };
    expect(error.packet?.granted).toEqual([128, 128]);
  });
});
