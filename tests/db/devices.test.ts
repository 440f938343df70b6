// Device queries: the key is returned once and stored as a digest; every query is owner-scoped.
import { useTestDatabase } from "@pulseboard/devstack/test";
import { createOwners } from "@pulseboard/devstack/test/fixtures";
import {
  DEVICE_KEY_PATTERN,
  deviceKeyDigest,
  devicePurges,
  devices,
  sensorReadings,
} from "@pulseboard/schema";
import { purgeDeletedDevices } from "@pulseboard/schema/queries/device-purge";
import { createDevice, deleteDevice, getDevice, listDevices } from "@pulseboard/schema/queries/devices";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";

const database = useTestDatabase();
const db = () => database.current.db;
let alice: string;
let bob: string;

beforeAll(async () => {
  alice = crypto.randomUUID();
  bob = crypto.randomUUID();
  await createOwners(db(), alice, bob);
});

describe("device queries", () => {
  it("provisioning returns the key once; the database holds only its digest", async () => {
    const created = await createDevice(db(), alice, "Greenhouse");
    expect(created.deviceKey).toMatch(DEVICE_KEY_PATTERN);
    expect(created).toMatchObject({ name: "Greenhouse", status: "offline", lastSeenAt: null });
    const [stored] = await db().select().from(devices).where(eq(devices.id, created.id));
    expect(stored?.deviceKey).toBe(deviceKeyDigest(created.deviceKey));
    const later = await getDevice(db(), alice, created.id);
    expect(later && "deviceKey" in later).toBe(false);
    expect(JSON.stringify(await listDevices(db(), alice))).not.toContain(created.deviceKey);
  });

  it("another owner's device is not found, listed or deletable", async () => {
    const mine = await createDevice(db(), alice, "mine");
    await createDevice(db(), bob, "theirs");
    expect(await getDevice(db(), bob, mine.id)).toBeUndefined();
    expect((await listDevices(db(), bob)).map((d) => d.name)).toEqual(["theirs"]);
    expect(await deleteDevice(db(), bob, mine.id)).toBe(false);
    expect(await getDevice(db(), alice, mine.id)).toBeDefined();
  });

  it("deleting one's device removes it, and its readings once purged", async () => {
    const device = await createDevice(db(), alice, "short-lived");
    await db()
      .insert(sensorReadings)
      .values({ deviceId: device.id, metric: "t", value: 1, recordedAt: new Date() });
    expect(await deleteDevice(db(), alice, device.id)).toBe(true);
    expect(await getDevice(db(), alice, device.id)).toBeUndefined();
    // Its readings are queued for the background purge (tests/db/device-purge.test.ts).
    expect(await db().select().from(devicePurges)).toEqual([
      { deviceId: device.id, deletedAt: expect.any(Date) },
    ]);
    expect(await purgeDeletedDevices(db(), { graceSeconds: 0 })).toMatchObject({ finished: [device.id] });
    expect(await db().select().from(sensorReadings).where(eq(sensorReadings.deviceId, device.id))).toEqual(
      [],
    );
  });
});
