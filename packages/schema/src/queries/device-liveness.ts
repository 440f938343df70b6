// Whether a device is online, judged by its silence: the alerter's sweep marks devices offline
// whose last reading is older than their silence period, and online again those heard since.
//
// Raw SQL on `db.$client` (Drizzle turned its timestamp serializing off): `now` is sent as an ISO
// string and cast in SQL.
import type { Database } from "../client";

/**
 * Marks online devices not heard from within their silence period (as of `now`) offline, and
 * offline devices heard from within it online; returns how many went each way.
 */
export async function markDevicesOfflineOrOnlineBySilence(
  db: Database,
  now: Date,
): Promise<{ offline: number; online: number }> {
  const at = now.toISOString();
  const offline = await db.$client`
    update devices set status = 'offline'
    where status = 'online'
      and (last_seen_at is null or last_seen_at < ${at}::timestamptz - make_interval(secs => silence_seconds))`;
  const online = await db.$client`
    update devices set status = 'online'
    where status = 'offline' and last_seen_at >= ${at}::timestamptz - make_interval(secs => silence_seconds)`;
  return { offline: offline.count, online: online.count };
}
