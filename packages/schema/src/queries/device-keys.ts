// Device keys as the ingest checks them: by the SHA-256 digest stored in `devices.device_key`
// (the key itself is never stored). Not scoped by owner: the key is the device's credential, and
// the answer names the owner.
import type { Database } from "../client";

export interface DeviceByKey {
  /** The key's digest (`deviceKeyDigest`), as asked. */
  digest: string;
  deviceId: string;
  ownerId: string;
  /**
   * A replaced key in its grace period: how long it is still accepted, in ms from the query (by
   * the database's clock, so the ingest's own clock does not stretch the grace); null for the
   * current key.
   */
  expiresInMs: number | null;
}

/**
 * The devices whose keys have these digests, in one query (digests with no device are absent):
 * current keys, and keys replaced by a rotation whose grace has not ended.
 */
export async function devicesByKeyDigests(db: Database, digests: readonly string[]): Promise<DeviceByKey[]> {
  const keys = digests as string[];
  const rows = await db.$client<
    { id: string; owner_id: string; digest: string; expires_in_ms: number | null }[]
  >`
    select id, owner_id, device_key as digest, null::float8 as expires_in_ms
    from devices where device_key = any(${keys}::text[])
    union all
    select id, owner_id, previous_key, (extract(epoch from previous_key_expires_at - now()) * 1000)::float8
    from devices where previous_key = any(${keys}::text[]) and previous_key_expires_at > now()`;
  return rows.map((r) => ({
    digest: r.digest,
    deviceId: r.id,
    ownerId: r.owner_id,
    expiresInMs: r.expires_in_ms,
  }));
}
