// Message ids (`mid` in the body, `Idempotency-Key` over HTTP): a message redelivered after a
// lost acknowledgement is stored once even when its readings are stamped with the receive time,
// within one flush, across flushes, and across ingest workers sharing the database.
import { useTestDatabase } from "@pulseboard/devstack/test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countReadings, provisionDevice, type RunningIngest, startIngest, useMqttClients } from "./harness";

const database = useTestDatabase();
let ingest: RunningIngest;
let second: RunningIngest;
const connect = useMqttClients();

beforeAll(async () => {
  [ingest, second] = await Promise.all([
    startIngest(database.current.url),
    startIngest(database.current.url),
  ]);
});
afterAll(() => Promise.all([ingest?.close(), second?.close()]));

function post(worker: RunningIngest, key: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${worker.httpUrl}/v1/readings`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}`, ...headers },
    body: JSON.stringify(body),
  });
}

async function duplicatesCounted(worker: RunningIngest): Promise<number> {
  const text = await (await fetch(`${worker.httpUrl}/metrics`)).text();
  return Number(/^ingest_duplicate_messages_total (\d+)/m.exec(text)?.[1] ?? Number.NaN);
}

describe("a message id", () => {
  it("over HTTP, in every shape that carries one: a resend (without ts) is acknowledged and stored once", async () => {
    const { deviceId, key } = await provisionDevice(database.current.db);
    const before = await duplicatesCounted(ingest);
    const bodies = [
      { temperature: 21.5, humidity: 40, mid: "boot-7:seq-1" },
      { ts: Date.now() - 1000, values: { temperature: 21.6 }, mid: "seq-2" },
      { readings: [{ metric: "co2", value: 415 }], mid: "seq-3" },
    ];
    for (const body of bodies) {
      for (let i = 0; i < 2; i++) {
        const res = await post(ingest, key, body);
        expect(res.status, JSON.stringify(body)).toBe(202);
      }
    }
    expect(await countReadings(database.current, deviceId)).toBe(4);
    expect(await duplicatesCounted(ingest)).toBe(before + 3);
    // The same id on another device is another message.
    const other = await provisionDevice(database.current.db);
    expect((await post(ingest, other.key, bodies[0])).status).toBe(202);
    expect(await countReadings(database.current, other.deviceId)).toBe(2);
  });

  it("Idempotency-Key does the same for any shape, a batch included; a contradicting mid is refused", async () => {
    const { deviceId, key } = await provisionDevice(database.current.db);
    const batch = [{ pressure: 1013 }, { humidity: 41 }];
    for (let i = 0; i < 3; i++) {
      expect((await post(ingest, key, batch, { "idempotency-key": "batch-1" })).status).toBe(202);
    }
    expect(await countReadings(database.current, deviceId)).toBe(2);
    const contradicting = await post(ingest, key, { t: 1, mid: "a" }, { "idempotency-key": "b" });
    expect(contradicting.status).toBe(400);
    expect(await contradicting.json()).toEqual({
      error: "invalid readings",
      reasons: ["mid: mid differs from the Idempotency-Key header"],
    });
    const malformed = await post(ingest, key, { t: 1 }, { "idempotency-key": "has spaces" });
    expect(malformed.status).toBe(400);
    expect(await countReadings(database.current, deviceId)).toBe(2);
  });

  it("over MQTT QoS 1: a republished message gets its PUBACK and is stored once", async () => {
    const { deviceId, key } = await provisionDevice(database.current.db);
    const client = await connect(ingest.mqttUrl);
    const payload = JSON.stringify({ temperature: 20, mid: "m-1" });
    for (let i = 0; i < 3; i++) await client.publishAsync(`devices/${key}/readings`, payload, { qos: 1 });
    expect(await countReadings(database.current, deviceId)).toBe(1);
  });

  it("copies in one flush, and on two workers at once, are stored once", async () => {
    const { deviceId, key } = await provisionDevice(database.current.db);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        post(i % 2 ? ingest : second, key, { temperature: i, mid: "burst" }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(202));
    expect(await countReadings(database.current, deviceId)).toBe(1);
  });

  it("is forgotten after its TTL: the same id is then a new message", async () => {
    const { deviceId, key } = await provisionDevice(database.current.db);
    expect((await post(ingest, key, { temperature: 1, mid: "old" })).status).toBe(202);
    await database.current.sql`
      update device_message_ids set stored_at = now() - interval '25 hours' where device_id = ${deviceId}`;
    expect((await post(ingest, key, { temperature: 2, mid: "old" })).status).toBe(202);
    expect(await countReadings(database.current, deviceId)).toBe(2);
  });

  it("a deleted device's message with an id stores nothing and breaks nothing", async () => {
    const { deviceId, key } = await provisionDevice(database.current.db);
    const alive = await provisionDevice(database.current.db);
    // The key stays cached for a moment after the delete: the message reaches the writer.
    expect((await post(ingest, key, { temperature: 1 })).status).toBe(202);
    await database.current.sql`delete from devices where id = ${deviceId}`;
    const [gone, kept] = await Promise.all([
      post(ingest, key, { temperature: 2, mid: "late" }),
      post(ingest, alive.key, { temperature: 3, mid: "late" }),
    ]);
    expect([202, 401]).toContain(gone.status);
    expect(kept.status).toBe(202);
    // And one without an id, while the key may still be cached.
    expect([202, 401]).toContain((await post(ingest, key, { temperature: 4 })).status);
    expect(await countReadings(database.current, alive.deviceId)).toBe(1);
    expect(
      await database.current.sql`select 1 from device_message_ids where device_id = ${deviceId}`,
    ).toHaveLength(0);
    // Only the reading from before the deletion (queued for the background purge): readings have
    // no foreign key, so the insert itself must leave a deleted device's out.
    expect(await countReadings(database.current, deviceId)).toBe(1);
  });
});
