// A device key replaced by its owner (queries/devices.ts rotateDeviceKey): the new key works at
// once; the old one works through the grace the owner picked, then is refused over MQTT and HTTP,
// and clients still connected with it are disconnected. The tests move the grace's end in the
// database rather than wait for it.
import { useTestDatabase } from "@pulseboard/devstack/test";
import { rotateDeviceKey } from "@pulseboard/schema/queries/devices";
import type mqtt from "mqtt";
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
  // Key lookups cached 300 ms (the harness's DEVICE_KEY_CACHE_MS): also how often connected
  // clients' keys are checked again.
  ingest = await startIngest(database.current.url);
});
afterAll(() => ingest?.close());

const post = (key: string, body: unknown) =>
  fetch(`${ingest.httpUrl}/v1/readings`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify(body),
  });

async function connectRefused(options: mqtt.IClientOptions): Promise<number | undefined> {
  const error = await connect(ingest.mqttUrl, options).then(
    () => undefined,
    (e: { code?: number }) => e,
  );
  return error?.code;
}

const endGrace = (deviceId: string) =>
  database.current.sql`
    update devices set previous_key_expires_at = now() - interval '1 second' where id = ${deviceId}`;

describe("a replaced device key", () => {
  it("keeps working through its grace, then is refused over MQTT and HTTP and its clients are disconnected", async () => {
    const { deviceId, ownerId, key: oldKey } = await provisionDevice(database.current.db);
    // Connected with the old key before the rotation: as username, and anonymously by topic.
    const byUsername = await connect(ingest.mqttUrl, { username: oldKey });
    const byTopic = await connect(ingest.mqttUrl);
    await byTopic.publishAsync(`devices/${oldKey}/readings`, JSON.stringify({ t: 1 }), { qos: 1 });

    const rotated = await rotateDeviceKey(database.current.db, ownerId, deviceId, 3600);
    expect(rotated.deviceKey).not.toBe(oldKey);
    expect(rotated.previousKeyExpiresAt?.getTime()).toBeGreaterThan(Date.now() + 3500_000);
    const [stored] = await database.current.sql<{ previous_key: string; device_key: string }[]>`
      select previous_key, device_key from devices where id = ${deviceId}`;
    // Only digests are stored, the old one kept with its expiry.
    expect(stored?.previous_key).toMatch(/^[0-9a-f]{64}$/);
    expect(stored?.device_key).not.toBe(stored?.previous_key);

    // During the grace both keys work, over both transports.
    await byUsername.publishAsync(`devices/${oldKey}/readings`, JSON.stringify({ t: 2 }), { qos: 1 });
    expect((await post(oldKey, { t: 3 })).status).toBe(202);
    expect((await post(rotated.deviceKey, { t: 4 })).status).toBe(202);
    const withNewKey = await connect(ingest.mqttUrl, { username: rotated.deviceKey });
    await withNewKey.publishAsync(`devices/${rotated.deviceKey}/readings`, JSON.stringify({ t: 5 }), {
      qos: 1,
    });
    await until(
      () => countReadings(database.current, deviceId),
      (n) => n === 5,
    );

    await endGrace(deviceId);
    // Clients connected with the old key are closed without publishing anything.
    expect(await closed(byUsername, 5000)).toBe(true);
    expect(await closed(byTopic, 5000)).toBe(true);
    // The client on the new key stays.
    expect(withNewKey.connected).toBe(true);
    // New attempts with the old key: CONNACK 5 over MQTT, 401 over HTTP, nothing stored.
    expect(await connectRefused({ username: oldKey })).toBe(5);
    expect((await post(oldKey, { t: 6 })).status).toBe(401);
    const anonymous = await connect(ingest.mqttUrl);
    anonymous.publish(`devices/${oldKey}/readings`, JSON.stringify({ t: 7 }), { qos: 1 });
    expect(await closed(anonymous, 5000)).toBe(true);
    expect(await countReadings(database.current, deviceId)).toBe(5);
    // The new key goes on working.
    expect((await post(rotated.deviceKey, { t: 8 })).status).toBe(202);
    expect(await countReadings(database.current, deviceId)).toBe(6);
    expect(
      ingest.logs.some((l) => l.msg === "disconnected clients whose device key is no longer accepted"),
    ).toBe(true);
    // No key, old or new, in any log line.
    const logged = JSON.stringify(ingest.logs);
    expect(logged).not.toContain(oldKey);
    expect(logged).not.toContain(rotated.deviceKey);
  }, 30_000);

  it('is refused at once with the grace "now", and a second rotation ends the first one\'s grace', async () => {
    const { deviceId, ownerId, key: first } = await provisionDevice(database.current.db);
    const second = await rotateDeviceKey(database.current.db, ownerId, deviceId, 86_400);
    expect((await post(first, { t: 1 })).status).toBe(202);
    const onSecond = await connect(ingest.mqttUrl, { username: second.deviceKey });
    // Rotating again: only the key being replaced (the second) gets a grace, of 0 here.
    const third = await rotateDeviceKey(database.current.db, ownerId, deviceId, 0);
    expect(third.previousKeyExpiresAt).toBeNull();
    // Lookups are cached DEVICE_KEY_CACHE_MS (300 ms here): refused once the cache entry ends.
    await until(
      async () => [(await post(first, { t: 2 })).status, (await post(second.deviceKey, { t: 2 })).status],
      (statuses) => statuses.every((s) => s === 401),
      5000,
    );
    expect(await connectRefused({ username: second.deviceKey })).toBe(5);
    // The client connected with the second key is disconnected too.
    expect(await closed(onSecond, 5000)).toBe(true);
    expect((await post(third.deviceKey, { t: 3 })).status).toBe(202);
  }, 30_000);

  it("is the owner's to replace: another owner's device is not found", async () => {
    const alice = await provisionDevice(database.current.db);
    const bob = await provisionDevice(database.current.db);
    await expect(rotateDeviceKey(database.current.db, bob.ownerId, alice.deviceId, 0)).rejects.toThrow(
      "device not found",
    );
    expect((await post(alice.key, { t: 1 })).status).toBe(202);
  });
});
