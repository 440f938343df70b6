// The rows most database tests start from: an owner (a Better Auth user row) and their device.

import { user } from "@pulseboard/schema/auth";
import type { Database } from "@pulseboard/schema/client";
import { createDevice } from "@pulseboard/schema/queries/devices";

/** Users with these ids (name = id, email `<id>@example.com`). */
export async function createOwners(db: Database, ...ids: string[]): Promise<void> {
  await db.insert(user).values(ids.map((id) => ({ id, name: id, email: `${id}@example.com` })));
}

/** A new owner with one device; the device's key is returned too (only its digest is stored). */
export async function createOwnerWithDevice(
  db: Database,
  ownerId: string,
  deviceName = "sensor",
): Promise<{ ownerId: string; deviceId: string; deviceKey: string }> {
  await createOwners(db, ownerId);
  const device = await createDevice(db, ownerId, deviceName);
  return { ownerId, deviceId: device.id, deviceKey: device.deviceKey };
}
