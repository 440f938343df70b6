// What an owner does about an alert (docs/notifications.md): acknowledge it ("I'm on it"), snooze
// it until a time or until it resolves, or end a snooze. Each is recorded as an event on the
// alert's timeline; evaluation never stops, only notices are held (queries/notices.ts). Each
// locks the alert's row, so an action and a concurrent transition queue behind each other.
// Scoped by owner in the query itself.
import type postgres from "postgres";
import type { Database } from "../client";
import { ConflictError, InvalidError, NotFoundError } from "../errors";
import { recheckHeldNotices } from "./notices";

type Tx = postgres.TransactionSql;

export interface AlertAction {
  eventId: string;
  kind: "acknowledged" | "snoozed" | "unsnoozed";
  at: Date;
}

/** The owner's alert, locked; NotFoundError when it is not theirs. */
async function lockOwnAlert(tx: Tx, ownerId: string, alertId: string) {
  const [alert] = await tx<{ status: "firing" | "resolved"; acknowledged: boolean }[]>`
    select a.status, a.acknowledged_at is not null as acknowledged
    from alerts a join devices d on d.id = a.device_id
    where a.id = ${alertId} and d.owner_id = ${ownerId}
    for update of a`;
  if (!alert) throw new NotFoundError("alert not found");
  return alert;
}

async function recordAction(
  tx: Tx,
  alertId: string,
  ownerId: string,
  actorId: string,
  action: { kind: AlertAction["kind"]; note: string | null; until: Date | null },
  now: Date,
): Promise<AlertAction> {
  const [event] = await tx<{ id: string }[]>`
    insert into alert_events (alert_id, owner_id, kind, at, actor_id, note, until)
    values (${alertId}, ${ownerId}, ${action.kind}, ${now.toISOString()}::timestamptz, ${actorId},
            ${action.note}, ${action.until?.toISOString() ?? null}::timestamptz)
    returning id`;
  if (!event) throw new Error("the action was not recorded");
  return { eventId: event.id, kind: action.kind, at: now };
}

/** Acknowledges a firing alert (once): it will not escalate. */
export function acknowledgeAlert(
  db: Database,
  ownerId: string,
  alertId: string,
  { actorId, note = null, now = new Date() }: { actorId: string; note?: string | null; now?: Date },
): Promise<AlertAction> {
  return db.$client.begin(async (tx) => {
    const alert = await lockOwnAlert(tx, ownerId, alertId);
    if (alert.status !== "firing")
      throw new ConflictError("the alert has resolved: there is nothing to acknowledge");
    if (alert.acknowledged) throw new ConflictError("the alert is already acknowledged");
    await tx`
      update alerts set acknowledged_at = ${now.toISOString()}::timestamptz, acknowledged_by = ${actorId}
      where id = ${alertId}`;
    return recordAction(tx, alertId, ownerId, actorId, { kind: "acknowledged", note, until: null }, now);
  });
}

/**
 * Snoozes a firing alert until `until` (which must be in the future), or until it resolves
 * (`until` null). A snooze until a time also covers the rule's next alerts until then (a flapping
 * rule stays quiet). Snoozing again replaces the snooze.
 */
export function snoozeAlert(
  db: Database,
  ownerId: string,
  alertId: string,
  {
    actorId,
    until,
    note = null,
    now = new Date(),
  }: { actorId: string; until: Date | null; note?: string | null; now?: Date },
): Promise<AlertAction> {
  if (until && until.getTime() <= now.getTime()) {
    return Promise.reject(new InvalidError("a snooze must end in the future", { field: "until" }));
  }
  return db.$client.begin(async (tx) => {
    const alert = await lockOwnAlert(tx, ownerId, alertId);
    if (alert.status !== "firing")
      throw new ConflictError("the alert has resolved: there is nothing to snooze");
    await tx`
      update alerts set snoozed_until = ${until?.toISOString() ?? null}::timestamptz,
                        snoozed_until_resolved = ${until === null}
      where id = ${alertId}`;
    // A snooze replaced (shorter, or until it resolves) changes when its held notices may go.
    await recheckHeldNotices(tx, { alertId });
    return recordAction(tx, alertId, ownerId, actorId, { kind: "snoozed", note, until }, now);
  });
}

/** Ends an alert's snooze now; its held notices go at the next sweep. */
export function unsnoozeAlert(
  db: Database,
  ownerId: string,
  alertId: string,
  { actorId, now = new Date() }: { actorId: string; now?: Date },
): Promise<AlertAction> {
  return db.$client.begin(async (tx) => {
    await lockOwnAlert(tx, ownerId, alertId);
    const [snoozed] = await tx`
      update alerts set snoozed_until = null, snoozed_until_resolved = false
      where id = ${alertId}
        and (snoozed_until_resolved or snoozed_until > ${now.toISOString()}::timestamptz)
      returning id`;
    if (!snoozed) throw new ConflictError("the alert is not snoozed");
    await recheckHeldNotices(tx, { alertId });
    return recordAction(tx, alertId, ownerId, actorId, { kind: "unsnoozed", note: null, until: null }, now);
  });
}

export interface TimelineEntry {
  id: string;
  kind: "fired" | "resolved" | "acknowledged" | "snoozed" | "unsnoozed" | "escalated";
  at: Date;
  value: number | null;
  actorName: string | null;
  note: string | null;
  until: Date | null;
  notice: "none" | "sent" | "held" | "dropped";
  noticeAt: Date | null;
  holdReason: string | null;
  deliveries: {
    channelId: string | null;
    channelName: string | null;
    destination: "webhook" | "email" | "slack";
    status: "pending" | "in_flight" | "delivered" | "failed" | "skipped";
    attempts: number;
    lastError: string | null;
    updatedAt: Date;
  }[];
}

const fromIso = (iso: string | null) => (iso === null ? null : new Date(iso));

/**
 * The alert's timeline, oldest first: every event with who acted, its notice (sent, held and
 * why, dropped) and each delivery's status, attempts and last error in generic words.
 */
export async function alertTimeline(
  db: Database,
  ownerId: string,
  alertId: string,
): Promise<TimelineEntry[]> {
  const rows = await db.$client<
    {
      id: string;
      kind: TimelineEntry["kind"];
      at: string;
      value: number | null;
      actor_name: string | null;
      note: string | null;
      until: string | null;
      notice: TimelineEntry["notice"];
      notice_at: string | null;
      hold_reason: string | null;
      deliveries: {
        channelId: string | null;
        channelName: string | null;
        destination: TimelineEntry["deliveries"][number]["destination"];
        status: TimelineEntry["deliveries"][number]["status"];
        attempts: number;
        lastError: string | null;
        updatedAt: string;
      }[];
    }[]
  >`
    select e.id, e.kind, to_json(e.at)#>>'{}' as at, e.value::float8 as value, u.name as actor_name, e.note,
           to_json(e.until)#>>'{}' as until, e.notice, to_json(e.notice_at)#>>'{}' as notice_at, e.hold_reason,
           coalesce((
             select json_agg(json_build_object(
                      'channelId', dl.channel_id, 'channelName', c.name, 'destination', dl.destination,
                      'status', dl.status, 'attempts', dl.attempts, 'lastError', dl.last_error,
                      'updatedAt', dl.updated_at) order by dl.created_at, dl.id)
             from alert_deliveries dl left join notification_channels c on c.id = dl.channel_id
             where dl.event_id = e.id
           ), '[]'::json) as deliveries
    from alert_events e
    join alerts a on a.id = e.alert_id
    join devices d on d.id = a.device_id
    left join "user" u on u.id = e.actor_id
    where e.alert_id = ${alertId} and d.owner_id = ${ownerId}
    order by e.at, e.id`;
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    at: new Date(r.at),
    value: r.value,
    actorName: r.actor_name,
    note: r.note,
    until: fromIso(r.until),
    notice: r.notice,
    noticeAt: fromIso(r.notice_at),
    holdReason: r.hold_reason,
    deliveries: r.deliveries.map((d) => ({ ...d, updatedAt: new Date(d.updatedAt) })),
  }));
}
