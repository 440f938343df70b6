// A catalogue of hostile inputs to the ingest, over HTTP and MQTT (built-in broker): each row is an
// input, its documented answer (docs/device-protocol.md) and proof that it changed nothing: the
// readings, message ids and devices counted before and after. Embedded run only: none of it
// depends on which PostgreSQL runs underneath.
import { useTestDatabase } from "@pulseboard/devstack/test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  closed,
  provisionDevice,
  type RunningIngest,
  startIngest,
  useMqttClients,
} from "../../apps/ingest/test/harness";
import { embeddedRun, figures } from "./support";

const database = useTestDatabase();
const connect = useMqttClients();
const MAX_BODY = 1_048_576;
let ingest: RunningIngest;
let device: { deviceId: string; key: string };
let other: { deviceId: string; key: string };

interface Snapshot {
  readings: number;
  messageIds: number;
  devices: number;
}

async function snapshot(): Promise<Snapshot> {
  const [row] = await database.current.sql<Snapshot[]>`
    select (select count(*) from sensor_readings)::int as readings,
           (select count(*) from device_message_ids)::int as "messageIds",
           (select count(*) from devices)::int as devices`;
  if (!row) throw new Error("no counts");
  return row;
}

async function rejected(reason: string): Promise<number> {
  const text = await (await fetch(`${ingest.httpUrl}/metrics`)).text();
  const line = new RegExp(`ingest_messages_rejected_total\\{transport="mqtt",reason="${reason}"\\} (\\d+)`);
  return Number(line.exec(text)?.[1] ?? 0);
}

const nested = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;
const nestedObject = (depth: number) => `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
const batch = (n: number) => `[${Array.from({ length: n }, (_, i) => `{"m${i % 10}":${i}}`).join(",")}]`;
const manyMetrics = (n: number) =>
  JSON.stringify(Object.fromEntries(Array.from({ length: n }, (_, i) => [`m${i}`, i])));
const METRIC = "metric name must be 1-64 characters of A-Z a-z 0-9 _ . -";

// Bodies refused as invalid: HTTP 400 with the reason's text; MQTT acknowledged, dropped, counted.
const invalid: { name: string; body: string; reason: string; text: string }[] = [
  {
    name: "deep JSON: 10,000 nested arrays",
    body: nested(10_000),
    reason: "bad_shape",
    text: "expected an object of metric values",
  },
  {
    name: "deep JSON: 10,000 nested objects",
    body: nestedObject(10_000),
    reason: "bad_value",
    text: "value must be a finite number",
  },
  {
    name: "unicode metric name",
    body: '{"températüre": 21.5}',
    reason: "bad_metric",
    text: `températüre: ${METRIC}`,
  },
  { name: "emoji metric name", body: '{"🔥": 1}', reason: "bad_metric", text: METRIC },
  {
    name: "right-to-left override in a metric name",
    body: '{"temp\\u202eerutarepmet": 1}',
    reason: "bad_metric",
    text: METRIC,
  },
  { name: "NUL byte in a metric name", body: '{"te\\u0000mp": 1}', reason: "bad_metric", text: METRIC },
  {
    name: "NUL byte in a value",
    body: '{"temp": "1\\u0000"}',
    reason: "bad_value",
    text: "temp: value must be a finite number",
  },
  {
    name: "NUL byte in a key of {ts, values}",
    body: `{"ts": ${Date.now() - 1000}, "values": {"t": 1}, "u\\u0000": 1}`,
    reason: "bad_shape",
    text: "Unrecognized key",
  },
  {
    name: "NUL byte in a mid",
    body: '{"temp": 1, "mid": "a\\u0000b"}',
    reason: "bad_shape",
    text: "mid must be 1-64 characters",
  },
  {
    name: "raw NUL byte in the body",
    body: '{"temp": 1}\u0000',
    reason: "invalid_json",
    text: "the body is not valid JSON",
  },
  {
    name: "huge array: 1,001 readings",
    body: batch(1001),
    reason: "too_many",
    text: "the message holds 1001 readings; at most 1000 are accepted",
  },
  {
    name: "huge array: 60,000 readings",
    body: batch(60_000),
    reason: "too_many",
    text: "the message holds 60000 readings; at most 1000 are accepted",
  },
  {
    name: "5,000 metrics in one object",
    body: manyMetrics(5000),
    reason: "too_many",
    text: "the message holds 5000 readings",
  },
  {
    name: "a value past 1e15",
    body: '{"temp": 1e16}',
    reason: "bad_value",
    text: "value must be between -1000000000000000 and 1000000000000000",
  },
  {
    name: "1e999 (Infinity)",
    body: '{"temp": 1e999}',
    reason: "bad_value",
    text: "value must be a finite number",
  },
  {
    name: "a mid inside a batch",
    body: '[{"temp": 1, "mid": "x"}]',
    reason: "bad_shape",
    text: "mid belongs at the top of a message",
  },
  {
    name: "epoch seconds as ts",
    body: '{"ts": 1732291200, "values": {"t": 1}}',
    reason: "bad_timestamp",
    text: "ts is before 2000-01-01",
  },
  {
    name: "ts far in the future",
    body: `{"ts": ${Date.now() + 3_600_000}, "values": {"t": 1}}`,
    reason: "future_timestamp",
    text: "ts is more than 5 minutes in the future",
  },
  { name: "an empty object", body: "{}", reason: "empty", text: "the message holds no readings" },
];

describe.skipIf(!embeddedRun)("faults: hostile inputs to the ingest", () => {
  beforeAll(async () => {
    ingest = await startIngest(database.current.url, { INGEST_MAX_BODY_BYTES: MAX_BODY });
    device = await provisionDevice(database.current.db);
    other = await provisionDevice(database.current.db);
  });
  afterAll(() => ingest?.close());

  const post = (
    body: string | Uint8Array<ArrayBuffer>,
    headers: Record<string, string> = { authorization: `Bearer ${device.key}` },
  ) =>
    fetch(`${ingest.httpUrl}/v1/readings`, { method: "POST", headers, body }).then(async (res) => ({
      status: res.status,
      text: await res.text(),
      retryAfter: res.headers.get("retry-after"),
    }));

  describe("HTTP POST /v1/readings", () => {
    it.each(invalid)("$name: 400 naming the problem, nothing stored", async ({ body, text }) => {
      const before = await snapshot();
      const res = await post(body);
      expect(res.status).toBe(400);
      expect(JSON.parse(res.text).error).toBe("invalid readings");
      expect(res.text).toContain(JSON.stringify(text).slice(1, -1));
      expect(await snapshot()).toEqual(before);
    });

    const refused: { name: string; send: () => ReturnType<typeof post>; status: number; error: string }[] = [
      {
        name: "a body one byte over the limit",
        send: () => post(new Uint8Array(MAX_BODY + 1).fill(0x20)),
        status: 413,
        error: `body over ${MAX_BODY} bytes`,
      },
      {
        name: "a 5 MB body of NUL bytes",
        send: () => post(new Uint8Array(5 * MAX_BODY)),
        status: 413,
        error: `body over ${MAX_BODY} bytes`,
      },
      {
        name: "no key",
        send: () => post('{"t": 1}', {}),
        status: 401,
        error: "missing device key: send Authorization: Bearer <device_key>",
      },
      {
        name: "a made-up key",
        send: () => post('{"t": 1}', { authorization: "Bearer dk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" }),
        status: 401,
        error: "unknown device key",
      },
      {
        name: "an Idempotency-Key of 65 characters",
        send: () =>
          post('{"t": 1}', { authorization: `Bearer ${device.key}`, "idempotency-key": "k".repeat(65) }),
        status: 400,
        error: "invalid readings",
      },
      {
        name: "a mid that differs from the Idempotency-Key",
        send: () =>
          post('{"t": 1, "mid": "a"}', { authorization: `Bearer ${device.key}`, "idempotency-key": "b" }),
        status: 400,
        error: "invalid readings",
      },
    ];
    it.each(refused)("$name: $status, nothing stored", async ({ send, status, error }) => {
      const before = await snapshot();
      const res = await send();
      expect(res.status).toBe(status);
      expect(JSON.parse(res.text).error).toBe(error);
      expect(await snapshot()).toEqual(before);
    });

    it("metrics named like Object.prototype's keys are ordinary metrics: stored under their own names, and nothing else", async () => {
      const before = await snapshot();
      const res = await post('{"__proto__": 1, "constructor": 2, "toString": 3}');
      expect(res).toMatchObject({ status: 202 });
      expect(JSON.parse(res.text)).toEqual({ accepted: 3 });
      const rows = await database.current.sql<{ metric: string; value: number }[]>`
        select metric, value::int as value from sensor_readings where device_id = ${device.deviceId} order by value`;
      expect(rows).toEqual([
        { metric: "__proto__", value: 1 },
        { metric: "constructor", value: 2 },
        { metric: "toString", value: 3 },
      ]);
      expect(await snapshot()).toEqual({ ...before, readings: before.readings + 3 });
    });
  });

  describe("MQTT, built-in broker", () => {
    it.each(invalid)(
      "$name: acknowledged, dropped and counted as $reason, nothing stored",
      async ({ body, reason }) => {
        const live = await connect(ingest.mqttUrl);
        const before = await snapshot();
        const count = await rejected(reason);
        await live.publishAsync(`devices/${device.key}/readings`, body, { qos: 1 });
        expect(await rejected(reason)).toBe(count + 1);
        expect(live.connected).toBe(true);
        expect(await snapshot()).toEqual(before);
      },
    );

    const closing: {
      name: string;
      topic: () => string;
      payload: () => string | Buffer;
      username?: () => string;
      reason: string;
    }[] = [
      {
        name: "a payload one byte over INGEST_MAX_BODY_BYTES",
        topic: () => `devices/${device.key}/readings`,
        payload: () => Buffer.alloc(MAX_BODY + 1, 0x20),
        reason: "too_large",
      },
      {
        name: "another topic under the device's key",
        topic: () => `devices/${device.key}/commands`,
        payload: () => '{"t": 1}',
        reason: "bad_topic",
      },
      {
        name: "a unicode topic",
        topic: () => "devices/températüre/readings",
        payload: () => '{"t": 1}',
        reason: "unknown_key",
      },
      {
        name: "an unknown key's topic",
        topic: () => "devices/dk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/readings",
        payload: () => '{"t": 1}',
        reason: "unknown_key",
      },
      {
        name: "another device's topic, connected with its own key as username",
        topic: () => `devices/${other.key}/readings`,
        payload: () => '{"t": 1}',
        username: () => device.key,
        reason: "foreign_topic",
      },
    ];
    it.each(closing)(
      "$name: the connection is closed without a PUBACK, counted as $reason, nothing stored",
      async ({ topic, payload, username, reason }) => {
        const before = await snapshot();
        const count = await rejected(reason);
        const c = await connect(ingest.mqttUrl, username ? { username: username() } : {});
        c.on("error", () => {});
        let acknowledged = false;
        void c.publishAsync(topic(), payload(), { qos: 1 }).then(
          () => {
            acknowledged = true;
          },
          () => {},
        );
        expect(await closed(c)).toBe(true);
        expect(acknowledged).toBe(false);
        expect(await rejected(reason)).toBe(count + 1);
        expect(await snapshot()).toEqual(before);
      },
    );

    const usernames = [
      ["a made-up key", "dk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"],
      ["a key with a NUL byte", "dk_\u0000AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"],
      ["a unicode key", "dk_Ä€ÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄ"],
      ["10,000 characters", "dk_".padEnd(10_000, "A")],
    ];
    it.each(usernames)(
      "connecting with %s as username: CONNACK 5 (not authorized), nothing changed",
      async (_, username) => {
        const before = await snapshot();
        const error = (await connect(ingest.mqttUrl, { username }).catch((e: unknown) => e)) as {
          code?: number;
        };
        expect(error.code).toBe(5);
        expect(await snapshot()).toEqual(before);
      },
    );

    const subscriptions = [
      ["$SYS/#"],
      ["$SYS/broker/clients/connected"],
      ["#"],
      ["devices/#"],
      ["+/+/readings"],
      ["devices/+/readings"],
      [`devices/${"KEY"}/readings`],
      [`$share/spy/devices/${"KEY"}/readings`],
      ["$share/spy/devices/+/readings"],
      ["$share/spy/#"],
    ];
    it.each(subscriptions)("subscribing to %s is refused (SUBACK 0x80)", async (filter) => {
      const c = await connect(ingest.mqttUrl);
      const topic = filter.replace("KEY", device.key);
      const outcome = (await c.subscribeAsync(topic, { qos: 1 }).catch((e: unknown) => e)) as
        | { packet?: { granted?: number[] } }
        | { qos: number }[];
      const granted = Array.isArray(outcome) ? outcome.map((g) => g.qos) : outcome.packet?.granted;
      expect(granted).toEqual([128]);
    });
  });

  afterAll(async () => {
    if (!ingest) return;
    const text = await (await fetch(`${ingest.httpUrl}/metrics`)).text();
    const counts = [
      ...text.matchAll(/ingest_messages_rejected_total\{transport="(\w+)",reason="(\w+)"\} (\d+)/g),
    ];
    figures(
      "hostile ingest inputs refused",
      Object.fromEntries(counts.map(([, transport, reason, n]) => [`${transport} ${reason}`, Number(n)])),
    );
  });
});
