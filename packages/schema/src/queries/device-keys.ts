// Device keys as the ingest checks them: by the SHA-256 digest stored in `devices.device_key`
// (the key itself is never stored). Not scoped by owner: the key is the device's credential, and
// the answer names the owner.
import type { Database } from "../client";

export interface DeviceByKey {
  /** The key's digest (`deviceKeyDigest`), as asked. */
  digest: string;
  deviceId: string;
  ownerId: string;
}

/** The devices whose keys have these digests, in one query (digests with no device are absent). */
export async function devicesByKeyDigests(db: Database, digests: readonly string[]): Promise<DeviceByKey[]> {
  const rows = await db.$client<{ id: string; owner_id: string; device_key: string }[]>`
    select id, owner_id, device_key from devices where device_key = any(${digests as string[]}::text[])`;
  return rows.map((r) => ({ digest: r.device_key, deviceId: r.id, ownerId: r.owner_id }));
}
