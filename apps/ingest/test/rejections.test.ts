// Device integrators get an answer: a wrong key as MQTT username is refused at CONNECT (CONNACK 5),
// an anonymous publish to an unknown key's topic is disconnected, and a known device's refused
// messages are counted per interval into device_rejections for its owner (never per message,
// never the key), surviving a failed write.
import { useTestDatabase } from "@pulseboard/devstack/test";
import { startTcpProxy } from "@pulseboard/devstack/test/tcp-proxy";
import { deviceRejections } from "@pulseboard/schema/queries/rejections";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closed, provisionDevice, type RunningIngest, startIngest, until, useMqttClients } from "./harness";

const database = useTestDatabase();
let ingest: RunningIngest;
const connect = useMqttClients();

beforeAll(async () => {
  ingest = await startIngest(database.current.url);
});
afterAll(() => ingest?.close());

const device = (url = ingest.mqttUrl, options: mqtt.IClientOptions = {}) => connect(url, options);

interface Row {
  reason: string;
  count: number;
  last_detail: string | null;
}

function rowsOf(deviceId: string): Promise<Row[]> {
  return database.current.sql<Row[]>`
    select reason, count, last_detail from device_rejections where device_id = ${deviceId} order by reason`;
}

async function metricsText(url = ingest.httpUrl): Promise<string> {
  return (await fetch(`${url}/metrics`)).text();
}

const UNKNOWN_KEY = "dk_nopenopenopenopenopenopenopenope";
// After an outage the pooled client reconnects with postgres-js's default backoff: its delay grows
// with every failed connection attempt of the pool (3^n / 100 s, capped at 20 s), and a slow
// machine makes more attempts fail during the cut. Recovery is therefore waited for up to
// RECOVERY_MS, not a fixed number of tries (and the test is given 90 s: requests made during the
// cut wait out the same backoff before they fail).
const RECOVERY_MS = 45_000;

describe("at connect", () => {
  it("a wrong key as username gets CONNACK 5 (not authorized)", async () => {
    const error = (await mqtt
      .connectAsync(ingest.mqttUrl, { username: UNKNOWN_KEY, reconnectPeriod: 0 })
      .catch((e: unknown) => e)) as { code?: number; message?: string };
    expect(error.code).toBe(5);
    expect(error.message).toMatch(/not authorized/i);
    // A malformed key is just as wrong.
    const malformed = (await mqtt
      .connectAsync(ingest.mqttUrl, { username: "not-a-key", reconnectPeriod: 0 })
      .catch((e: unknown) => e)) as { code?: number };
    expect(malformed.code).toBe(5);
  });

  it("the right key as username connects and publishes", async () => {
    const { key } = await provisionDevice(database.current.db);
    const client = await device(ingest.mqttUrl, { username: key });
    await client.publishAsync(`devices/${key}/readings`, '{"t": 1}', { qos: 1 });
    expect(client.connected).toBe(true);
  });
});

describe("anonymous publishes", () => {
  it("to an unknown key's topic are disconnected, at QoS 1 and at QoS 0", async () => {
    const qos1 = await device();
    qos1.publish(`devices/${UNKNOWN_KEY}/readings`, '{"t": 1}', { qos: 1 });
    expect(await closed(qos1)).toBe(true);

    const qos0 = await device();
    qos0.publish(`devices/${UNKNOWN_KEY}/readings`, '{"t": 1}', { qos: 0 });
    expect(await closed(qos0)).toBe(true);
  });

  it("unknown keys are in /metrics only, never in device_rejections", async () => {
    const before = await database.current.sql<
      { n: number }[]
    >`select count(*)::int as n from device_rejections`;
    const res = await fetch(`${ingest.httpUrl}/v1/readings`, {
      method: "POST",
      headers: { authorization: `Bearer ${UNKNOWN_KEY}`, "content-type": "application/json" },
      body: "not json",
    });
    expect(res.status).toBe(401);
    await new Promise((r) => setTimeout(r, 500));
    const after = await database.current.sql<
      { n: number }[]
    >`select count(*)::int as n from device_rejections`;
    expect(after[0]?.n).toBe(before[0]?.n);
    expect(await metricsText()).toMatch(
      /ingest_messages_rejected_total\{transport="http",reason="unknown_key"\} [1-9]/,
    );
  });
});

describe("a known device's refused messages", () => {
  it("are written once per interval: n bad messages, one row with count n, a few writes", async () => {
    const { deviceId, ownerId, key } = await provisionDevice(database.current.db);
    const client = await device();
    const writesBefore = ingest.app.rejectionStore.writes;
    const topic = `devices/${key}/readings`;
    const started = Date.now();
    for (let i = 0; i < 10; i++) await client.publishAsync(topic, '{"temperature": "hot"}', { qos: 1 });
    await client.publishAsync(topic, "not json", { qos: 1 });
    const sentMs = Date.now() - started;
    const rows = await until(
      () => rowsOf(deviceId),
      (r) => r.reduce((n, x) => n + x.count, 0) === 11,
    );
    expect(rows).toEqual([
      { reason: "bad_value", count: 10, last_detail: "temperature: value must be a finite number" },
      { reason: "invalid_json", count: 1, last_detail: "the body is not valid JSON" },
    ]);
    // One write per interval (200 ms in this harness) the 11 messages spanned, plus the one after:
    // one or two on an idle machine, never a write per message.
    const writes = ingest.app.rejectionStore.writes - writesBefore;
    expect(writes).toBeGreaterThanOrEqual(1);
    expect(writes).toBeLessThanOrEqual(Math.min(10, Math.floor(sentMs / 200) + 2));
    expect(client.connected).toBe(true);

    // The owner's view; another owner's answers nothing.
    const view = await deviceRejections(database.current.db, ownerId, deviceId);
    expect(view.last24h).toEqual([
      { reason: "bad_value", count: 10 },
      { reason: "invalid_json", count: 1 },
    ]);
    expect(view.last?.reason).toBe("invalid_json");
    expect(Date.now() - (view.last?.at.getTime() ?? 0)).toBeLessThan(60_000);
    const other = await provisionDevice(database.current.db);
    expect(await deviceRejections(database.current.db, other.ownerId, deviceId)).toEqual({
      last24h: [],
      last: null,
    });

    // Later messages add to the same row.
    await client.publishAsync(topic, '{"temperature": "hot"}', { qos: 1 });
    await until(
      () => rowsOf(deviceId),
      (r) => r.find((x) => x.reason === "bad_value")?.count === 11,
    );
  });

  it("names the reason for each kind of problem, over HTTP too, and never stores a key", async () => {
    const { deviceId, key } = await provisionDevice(database.current.db);
    const post = (body: string) =>
      fetch(`${ingest.httpUrl}/v1/readings`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body,
      });
    const cases = [
      '{"sensor": {"temperature": 21}}',
      '{"bad name": 1}',
      JSON.stringify({ ts: Date.now() + 6 * 60_000, values: { t: 1 } }),
      JSON.stringify({ ts: 1_700_000_000, values: { t: 1 } }),
      "{}",
      JSON.stringify(Array.from({ length: 1001 }, () => ({ t: 1 }))),
      // A key in the body is not stored either.
      JSON.stringify({ [key]: "x" }),
    ];
    for (const body of cases) expect((await post(body)).status).toBe(400);
    const rows = await until(
      () => rowsOf(deviceId),
      (r) => r.reduce((n, x) => n + x.count, 0) === cases.length,
    );
    expect(Object.fromEntries(rows.map((r) => [r.reason, r.count]))).toEqual({
      bad_value: 2,
      bad_metric: 1,
      future_timestamp: 1,
      bad_timestamp: 1,
      empty: 1,
      too_many: 1,
    });
    expect(JSON.stringify(rows)).not.toContain(key.slice(3));
    expect(rows.find((r) => r.reason === "bad_value")?.last_detail).toContain("dk_…");
  });

  it("counts a device connected with its key that publishes to another device's topic", async () => {
    const a = await provisionDevice(database.current.db);
    const b = await provisionDevice(database.current.db);
    const client = await device(ingest.mqttUrl, { username: a.key });
    client.publish(`devices/${b.key}/readings`, '{"t": 1}', { qos: 1 });
    expect(await closed(client)).toBe(true);
    const rows = await until(
      () => rowsOf(a.deviceId),
      (r) => r.length > 0,
    );
    expect(rows).toEqual([
      { reason: "foreign_topic", count: 1, last_detail: "published to another device's topic" },
    ]);
    expect(await rowsOf(b.deviceId)).toEqual([]);
  });

  it("counts messages over the device's rate", async () => {
    // One message per 100 s: no token comes back during the test, however slow the requests.
    const limited = await startIngest(database.current.url, {
      DEVICE_RATE_PER_SECOND: 0.01,
      DEVICE_RATE_BURST: 2,
    });
    try {
      const { deviceId, key } = await provisionDevice(database.current.db);
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        const res = await fetch(`${limited.httpUrl}/v1/readings`, {
          method: "POST",
          headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
          body: JSON.stringify({ t: i }),
        });
        statuses.push(res.status);
      }
      expect(statuses).toEqual([202, 202, 429, 429, 429]);
      await until(
        () => rowsOf(deviceId),
        (r) => r.length === 1 && r[0]?.reason === "rate_limited" && r[0]?.count === 3,
      );
    } finally {
      await limited.close();
    }
  });

  it("a failed write keeps the counts for the next interval, and readings go on", async () => {
    const port = Number(new URL(database.current.url).port);
    const proxy = await startTcpProxy(port);
    const url = new URL(database.current.url);
    url.port = String(proxy.port);
    // Keys stay cached while the database is away, so refusals can still name their device.
    const faulty = await startIngest(url.toString(), { DEVICE_KEY_CACHE_MS: 60_000 });
    try {
      const { deviceId, key } = await provisionDevice(database.current.db);
      const post = (body: string) =>
        fetch(`${faulty.httpUrl}/v1/readings`, {
          method: "POST",
          headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
          body,
        });
      expect((await post('{"t": 1}')).status).toBe(202);
      proxy.cut();
      for (let i = 0; i < 4; i++) expect((await post('{"t": "x"}')).status).toBe(400);
      await until(
        async () =>
          faulty.logs.filter((l) => l.msg === "could not record rejections; retrying next interval"),
        (lines) => lines.length > 0,
      );
      proxy.restore();
      const rows = await until(
        () => rowsOf(deviceId),
        (r) => r.length > 0,
        RECOVERY_MS,
      );
      expect(rows.map((r) => [r.reason, r.count])).toEqual([["bad_value", 4]]);
      // And the ingest kept going: readings are stored again.
      await until(
        async () => (await post('{"t": 2}')).status,
        (s) => s === 202,
        RECOVERY_MS,
      );
    } finally {
      await faulty.close();
      await proxy.close();
    }
  }, 90_000);
});
