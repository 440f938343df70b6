// Device queries for the web API, each scoped by owner in the query itself: another owner's id
// finds nothing (the API answers 404), never someone else's row.
import { and, desc, eq, sql } from "drizzle-orm";
import type { Database } from "../client";
import { NotFoundError } from "../errors";
import { afterCursor, keyAt, keysetPage, PAGE_DEFAULT_LIMIT } from "../keyset";
import { deviceKeyDigest, devices, generateDeviceKey, type UpdateDeviceBody } from "../schema/telemetry";

export interface DeviceSummary {
  id: string;
  name: string;
  status: "online" | "offline";
  lastSeenAt: Date | null;
  createdAt: Date;
  /** The offline timeout: no reading for this long and the device shows offline. */
  silenceSeconds: number;
  tags: string[];
  /** When the owner last replaced the key; null for the key made at provisioning. */
  keyRotatedAt: Date | null;
  /** Until when the replaced key is still accepted; null when none is. */
  previousKeyExpiresAt: Date | null;
}

const summary = {
  id: devices.id,
  name: devices.name,
  status: devices.status,
  lastSeenAt: devices.lastSeenAt,
  createdAt: devices.createdAt,
  silenceSeconds: devices.silenceSeconds,
  tags: devices.tags,
  keyRotatedAt: devices.keyRotatedAt,
  // A grace that has ended reads as none (the column is cleared by the next rotation only).
  previousKeyExpiresAt:
    sql<Date | null>`case when ${devices.previousKeyExpiresAt} > now() then ${devices.previousKeyExpiresAt} end`
      .mapWith(devices.previousKeyExpiresAt)
      .as("previous_key_expires_at"),
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

function tagged(tag: string | undefined) {
  const t = tag?.trim().toLowerCase();
  return t ? sql`exists (select 1 from unnest(${devices.tags}) t where lower(t) = ${t})` : undefined;
}

/** All the owner's devices, newest first (for pickers); with `tag`, those carrying it (case-insensitively). */
export function listDevices(
  db: Database,
  ownerId: string,
  options: { tag?: string } = {},
): Promise<DeviceSummary[]> {
  return db
    .select(summary)
    .from(devices)
    .where(and(eq(devices.ownerId, ownerId), tagged(options.tag)))
    .orderBy(desc(devices.createdAt), desc(devices.id));
}

/** A page of the owner's devices, newest first (keyset.ts); a cursor it did not write is InvalidError. */
export async function listDevicesPage(
  db: Database,
  ownerId: string,
  options: { tag?: string | undefined; cursor?: string | undefined; limit?: number | undefined },
): Promise<{ rows: DeviceSummary[]; next: string | null }> {
  const limit = options.limit ?? PAGE_DEFAULT_LIMIT;
  const rows = await db
    .select({ ...summary, keyAt: keyAt(devices.createdAt) })
    .from(devices)
    .where(
      and(
        eq(devices.ownerId, ownerId),
        tagged(options.tag),
        afterCursor(options.cursor, devices.createdAt, devices.id),
      ),
    )
    .orderBy(desc(devices.createdAt), desc(devices.id))
    .limit(limit + 1);
  return keysetPage(rows, limit);
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

/** Renames the owner's device, sets its offline timeout or its tags; NotFoundError if not theirs. */
export async function updateDevice(
  db: Database,
  ownerId: string,
  deviceId: string,
  changes: UpdateDeviceBody,
): Promise<DeviceSummary> {
  const [row] = await db
    .update(devices)
    .set({
      ...(changes.name === undefined ? {} : { name: changes.name }),
      ...(changes.silenceSeconds === undefined ? {} : { silenceSeconds: changes.silenceSeconds }),
      ...(changes.tags === undefined ? {} : { tags: changes.tags }),
    })
    .where(and(eq(devices.id, deviceId), eq(devices.ownerId, ownerId)))
    .returning(summary);
  if (!row) throw new NotFoundError("device not found", { field: "deviceId" });
  return row;
}

/**
 * Replaces the owner's device key (their explicit act, for a key that leaked: the system never
 * regenerates one). The new key is returned once, like at provisioning; the old one is accepted
 * for `graceSeconds` more (0: refused from now on), after which the ingest refuses it and
 * disconnects clients still connected with it. A grace still running from an earlier rotation
 * ends now: only the key being replaced gets one.
 */
export async function rotateDeviceKey(
  db: Database,
  ownerId: string,
  deviceId: string,
  graceSeconds: number,
): Promise<{ deviceKey: string; keyRotatedAt: Date; previousKeyExpiresAt: Date | null }> {
  const deviceKey = generateDeviceKey();
  const [row] = await db
    .update(devices)
    .set({
      deviceKey: deviceKeyDigest(deviceKey),
      previousKey: graceSeconds > 0 ? sql`${devices.deviceKey}` : null,
      previousKeyExpiresAt: graceSeconds > 0 ? sql`now() + make_interval(secs => ${graceSeconds})` : null,
      keyRotatedAt: sql`now()`,
    })
    .where(and(eq(devices.id, deviceId), eq(devices.ownerId, ownerId)))
    .returning({ keyRotatedAt: devices.keyRotatedAt, previousKeyExpiresAt: devices.previousKeyExpiresAt });
  if (!row?.keyRotatedAt) throw new NotFoundError("device not found", { field: "deviceId" });
  return { deviceKey, keyRotatedAt: row.keyRotatedAt, previousKeyExpiresAt: row.previousKeyExpiresAt };
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
