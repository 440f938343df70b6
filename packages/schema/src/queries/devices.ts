// Device queries for the web API, each scoped by owner in the query itself: another owner's id
// finds nothing (the API answers 404), never someone else's row.
import { and, desc, eq } from "drizzle-orm";
import type { Database } from "../client";
import { deviceKeyDigest, devices, generateDeviceKey } from "../schema/telemetry";

export interface DeviceSummary {
  id: string;
  name: string;
  status: "online" | "offline";
  lastSeenAt: Date | null;
  createdAt: Date;
}

const summary = {
  id: devices.id,
  name: devices.name,
  status: devices.status,
  lastSeenAt: devices.lastSeenAt,
  createdAt: devices.createdAt,
};

/** Provisions a device; the only time its key is ever returned (only its digest is stored). */
export async function createDevice(
  db: Database,
  ownerId: string,
  name: string,
): Promise<DeviceSummary & { deviceKey: string }> {
  const deviceKey = generateDeviceKey();
  const [row] = await db
    .insert(devices)
    .values({ ownerId, name, deviceKey: deviceKeyDigest(deviceKey) })
    .returning(summary);
  if (!row) throw new Error("device was not created");
  return { ...row, deviceKey };
}

export function listDevices(db: Database, ownerId: string): Promise<DeviceSummary[]> {
  return db
    .select(summary)
    .from(devices)
    .where(eq(devices.ownerId, ownerId))
    .orderBy(desc(devices.createdAt));
}

export async function getDevice(
  db: Database,
  ownerId: string,
  deviceId: string,
): Promise<DeviceSummary | undefined> {
  const [row] = await db
    .select(summary)
    .from(devices)
    .where(and(eq(devices.id, deviceId), eq(devices.ownerId, ownerId)));
  return row;
}

/**
 * Deletes the owner's device; false if not theirs. Its rules, alerts, rejections and message ids
 * go with it (cascades), its workouts keep their logs without it; its readings and roll-ups are
 * no longer read by anything and are purged in the background (queries/device-purge.ts), so this
 * answers at once however many readings the device has.
 */
export async function deleteDevice(db: Database, ownerId: string, deviceId: string): Promise<boolean> {
  const deleted = await db
    .delete(devices)
    .where(and(eq(devices.id, deviceId), eq(devices.ownerId, ownerId)))
    .returning({ id: devices.id });
  return deleted.length > 0;
}

/**
 * The ingest, after a commit: these devices are online, seen now. Not scoped by owner: the
 * devices were identified by their keys. Ids of devices deleted meanwhile match nothing.
 */
export async function markDevicesSeen(db: Database, deviceIds: readonly string[]): Promise<void> {
  await db.$client`
    update devices set status = 'online', last_seen_at = now() where id = any(${deviceIds as string[]}::uuid[])`;
}
