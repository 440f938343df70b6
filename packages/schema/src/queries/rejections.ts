// Messages the ingest refused, per device, hour and reason (`device_rejections`). The ingest adds
// its in-memory counts with one statement per interval and prunes old hours; the web app reads a
// device's last day, scoped by owner in the query itself (another owner's device answers nothing).
import type { Database } from "../client";
import type { DeviceRejectionReason } from "../schema/telemetry";

/** Hours kept: enough for "the last 24 h" and the last refusal before that. */
export const REJECTION_RETENTION_HOURS = 48;
/** `last_detail` is cut to this many characters (the table's CHECK allows 500). */
export const REJECTION_DETAIL_MAX = 300;

export interface RejectionCount {
  deviceId: string;
  /** Any instant in the hour: stored as the hour's start (UTC). */
  hour: Date;
  reason: DeviceRejectionReason;
  count: number;
  lastAt: Date;
  lastDetail: string | null;
}

/**
 * Adds counts with one multi-row upsert. Rows of devices deleted meanwhile are skipped (not an
 * error). Each (device, hour, reason) must appear at most once. Returns the rows written.
 */
export async function recordRejections(db: Database, counts: readonly RejectionCount[]): Promise<number> {
  const sql = db.$client;
  if (counts.length === 0) return 0;
  const ids = counts.map((c) => c.deviceId);
  const hours = counts.map((c) => c.hour.toISOString());
  const reasons = counts.map((c) => c.reason);
  const numbers = counts.map((c) => c.count);
  const lastAts = counts.map((c) => c.lastAt.toISOString());
  const details = counts.map((c) => c.lastDetail?.slice(0, REJECTION_DETAIL_MAX) ?? null);
  // Instants travel as text (ISO-8601 with offset) and are cast here, and are read back as text:
  // a client shared with Drizzle has its timestamp (de)serializers replaced.
  const result = await sql`
    insert into device_rejections as r (device_id, hour, reason, count, last_at, last_detail)
    select t.device_id, date_trunc('hour', t.hour::timestamptz, 'UTC'), t.reason, t.count,
           t.last_at::timestamptz, t.last_detail
    from unnest(${ids}::uuid[], ${hours}::text[], ${reasons}::text[], ${numbers}::int[],
                ${lastAts}::text[], ${details}::text[])
      as t(device_id, hour, reason, count, last_at, last_detail)
    join devices d on d.id = t.device_id
    on conflict (device_id, hour, reason) do update set
      count = r.count + excluded.count,
      last_at = greatest(r.last_at, excluded.last_at),
      last_detail = case when excluded.last_at >= r.last_at then excluded.last_detail else r.last_detail end`;
  return result.count;
}

/** Deletes hours older than `keepHours`; returns the rows deleted. */
export async function pruneRejections(db: Database, keepHours = REJECTION_RETENTION_HOURS): Promise<number> {
  const sql = db.$client;
  const result = await sql`
    delete from device_rejections where hour < now() - make_interval(hours => ${keepHours})`;
  return result.count;
}

export interface DeviceRejectionsView {
  /** Refused messages per reason over the last 24 hours (whole hours: the current one and the 24 before), most first. */
  last24h: { reason: string; count: number }[];
  /** The latest refusal kept (up to two days back). */
  last: { reason: string; at: Date; detail: string | null } | null;
}

/** A device's refused messages, or nothing when the device is not the owner's. */
export async function deviceRejections(
  db: Database,
  ownerId: string,
  deviceId: string,
): Promise<DeviceRejectionsView> {
  const sql = db.$client;
  const [counts, latest] = await Promise.all([
    sql<{ reason: string; count: number }[]>`
      select r.reason, sum(r.count)::int as count
      from device_rejections r
      join devices d on d.id = r.device_id
      where r.device_id = ${deviceId} and d.owner_id = ${ownerId}
        and r.hour >= date_trunc('hour', now() - interval '24 hours', 'UTC')
      group by r.reason
      order by count desc, r.reason`,
    sql<{ reason: string; at: string; detail: string | null }[]>`
      select r.reason, to_char(r.last_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as at,
             r.last_detail as detail
      from device_rejections r
      join devices d on d.id = r.device_id
      where r.device_id = ${deviceId} and d.owner_id = ${ownerId}
      order by r.last_at desc
      limit 1`,
  ]);
  const [last] = latest;
  return {
    last24h: counts.map((c) => ({ reason: c.reason, count: c.count })),
    last: last ? { reason: last.reason, at: new Date(last.at), detail: last.detail } : null,
  };
}
