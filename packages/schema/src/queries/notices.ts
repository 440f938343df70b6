// An alert event's notice (docs/notifications.md): the facts the pure decisions in ../notices.ts
// need, read inside the caller's transaction, and what they decide written there too: the
// event's notice state and its deliveries (one per channel, the outbox the queue delivers). Used
// by a transition (queries/alert-evaluation.ts), by the sweep's release of held notices, and by
// its escalation of unacknowledged critical alerts.
//
// Raw SQL on the handle, whose timestamp parsing Drizzle turned off: times are sent as ISO
// strings and read back as epoch milliseconds (or ISO strings inside JSON).
import type postgres from "postgres";
import type { Database } from "../client";
import {
  escalationDue,
  type Hold,
  type NamedWindow,
  type NoticeKind,
  type NoticeState,
  noticeDecision,
  noticeHold,
  routeChannels,
  type Severity,
} from "../notices";
import { SEVERITIES } from "../schema/telemetry";
import { scheduleOf } from "./maintenance-windows";

/** One event's delivery to one of its owner's channels: what a queue message asks for. */
export interface DeliveryKey {
  eventId: string;
  channelId: string;
}

type Sql = postgres.Sql | postgres.TransactionSql;

interface WindowRow {
  name: string;
  kind: "once" | "weekly";
  startsAt: string | null;
  endsAt: string | null;
  days: number[] | null;
  startTime: string | null;
  endTime: string | null;
  timeZone: string | null;
}

function toWindow(w: WindowRow): NamedWindow {
  const date = (iso: string | null) => (iso === null ? null : new Date(iso));
  return { name: w.name, schedule: scheduleOf({ ...w, startsAt: date(w.startsAt), endsAt: date(w.endsAt) }) };
}

const fromMs = (ms: number | null) => (ms === null ? null : new Date(ms));

/** What decides an alert's notices, read with the alert's row locked (so actions and transitions on it queue). */
export interface AlertNoticeFacts {
  alertId: string;
  ownerId: string;
  status: "firing" | "resolved";
  severity: Severity;
  acknowledgedAt: Date | null;
  escalatedAt: Date | null;
  snoozedUntil: Date | null;
  snoozedUntilResolved: boolean;
  windows: NamedWindow[];
  firedNotice: NoticeState | null;
  firedNoticeAt: Date | null;
}

export async function alertNoticeFacts(tx: Sql, alertId: string): Promise<AlertNoticeFacts | undefined> {
  const [row] = await tx<
    {
      owner_id: string;
      status: "firing" | "resolved";
      severity: Severity;
      acknowledged_at_ms: number | null;
      escalated_at_ms: number | null;
      snoozed_until_ms: number | null;
      snoozed_until_resolved: boolean;
      windows: WindowRow[];
      fired_notice: NoticeState | null;
      fired_notice_at_ms: number | null;
    }[]
  >`
    select d.owner_id, a.status, a.severity, a.snoozed_until_resolved,
           floor(extract(epoch from a.acknowledged_at) * 1000)::float8 as acknowledged_at_ms,
           floor(extract(epoch from a.escalated_at) * 1000)::float8 as escalated_at_ms,
           floor(extract(epoch from a.snoozed_until) * 1000)::float8 as snoozed_until_ms,
           coalesce((
             select json_agg(json_build_object(
                      'name', w.name, 'kind', w.kind, 'startsAt', w.starts_at, 'endsAt', w.ends_at,
                      'days', w.days, 'startTime', w.start_time, 'endTime', w.end_time, 'timeZone', w.time_zone))
             from maintenance_windows w
             where w.owner_id = d.owner_id
               and (w.device_id = d.id or lower(w.tag) in (select lower(t) from unnest(d.tags) t))
           ), '[]'::json) as windows,
           f.notice as fired_notice,
           floor(extract(epoch from f.notice_at) * 1000)::float8 as fired_notice_at_ms
    from alerts a
    join devices d on d.id = a.device_id
    left join alert_events f on f.alert_id = a.id and f.kind = 'fired'
    where a.id = ${alertId}
    for update of a`;
  if (!row) return undefined;
  return {
    alertId,
    ownerId: row.owner_id,
    status: row.status,
    severity: row.severity,
    acknowledgedAt: fromMs(row.acknowledged_at_ms),
    escalatedAt: fromMs(row.escalated_at_ms),
    snoozedUntil: fromMs(row.snoozed_until_ms),
    snoozedUntilResolved: row.snoozed_until_resolved,
    windows: row.windows.map(toWindow),
    firedNotice: row.fired_notice,
    firedNoticeAt: fromMs(row.fired_notice_at_ms),
  };
}

/**
 * The owner's channels and the severities each receives. An owner with no channel at all gets
 * their account e-mail as one, receiving every severity: an owner who set nothing still hears
 * of their alerts (it is only sent to once their address is verified).
 */
async function ownerChannels(tx: Sql, ownerId: string): Promise<{ id: string; severities: Severity[] }[]> {
  const load = () =>
    tx<{ id: string; severities: Severity[] }[]>`
      select id, severities from notification_channels where owner_id = ${ownerId} order by created_at, id`;
  const channels = await load();
  if (channels.length > 0) return channels;
  await tx`
    insert into notification_channels (owner_id, kind, name, severities, is_account)
    values (${ownerId}, 'email', 'Account e-mail', ${[...SEVERITIES]}::text[], true)
    on conflict (owner_id) where is_account do nothing`;
  return load();
}

/** The channels a resolved notice follows: where the alert's fired (and escalated) notices went. */
async function notifiedChannels(tx: Sql, alertId: string): Promise<string[]> {
  const rows = await tx<{ channel_id: string }[]>`
    select distinct dl.channel_id
    from alert_events e join alert_deliveries dl on dl.event_id = e.id
    where e.alert_id = ${alertId} and e.kind in ('fired', 'escalated') and dl.channel_id is not null
      -- A notice that could not be sent there (an unconfirmed address) did not go there.
      and dl.status <> 'skipped'`;
  return rows.map((r) => r.channel_id);
}

/** Writes the event's deliveries to these channels of its owner (pending, due now) and marks it sent. */
async function sendNotice(
  tx: Sql,
  eventId: string,
  ownerId: string,
  channelIds: string[],
): Promise<DeliveryKey[]> {
  const rows = await tx<{ channel_id: string }[]>`
    insert into alert_deliveries (event_id, channel_id, destination, status)
    select ${eventId}::uuid, c.id, c.kind, 'pending'
    from notification_channels c
    where c.owner_id = ${ownerId} and c.id = any(${channelIds}::uuid[])
    on conflict (event_id, channel_id) do nothing
    returning channel_id`;
  await tx`
    update alert_events set notice = 'sent', notice_at = now() where id = ${eventId}`;
  return rows.map((r) => ({ eventId, channelId: r.channel_id }));
}

/** Holds the event's notice (looked at again when the hold ends), or drops it. */
async function markNotice(tx: Sql, eventId: string, notice: "held" | "dropped", hold: Hold) {
  await tx`
    update alert_events
    set notice = ${notice}, notice_at = case when ${notice} = 'dropped' then now() else null end,
        hold_reason = coalesce(${hold.held ? hold.reason : null}, hold_reason),
        hold_until = ${hold.held && hold.until ? hold.until.toISOString() : null}::timestamptz
    where id = ${eventId}`;
}

/**
 * Decides and writes the notice of a `fired` or `resolved` event just recorded in `tx` (its
 * alert's row already locked by the transition): sent to its channels, held, or dropped; a
 * resolve also drops a fired notice still held (it never went, so neither goes).
 */
export async function noticeTransition(
  tx: Sql,
  event: { id: string; alertId: string; kind: "fired" | "resolved" },
  now: Date,
): Promise<DeliveryKey[]> {
  const facts = await alertNoticeFacts(tx, event.alertId);
  if (!facts) return [];
  const hold = noticeHold(facts, now);
  const decision = noticeDecision({
    kind: event.kind,
    status: facts.status,
    firedNotice: facts.firedNotice,
    hold,
  });
  if (event.kind === "resolved" && facts.firedNotice === "held") {
    await tx`
      update alert_events set notice = 'dropped', notice_at = now()
      where alert_id = ${event.alertId} and kind = 'fired' and notice = 'held'`;
  }
  return applyDecision(tx, event, facts, decision, hold);
}

async function applyDecision(
  tx: Sql,
  event: { id: string; alertId: string; kind: NoticeKind },
  facts: AlertNoticeFacts,
  decision: "send" | "hold" | "drop",
  hold: Hold,
): Promise<DeliveryKey[]> {
  if (decision === "hold") {
    await markNotice(tx, event.id, "held", hold);
    return [];
  }
  if (decision === "drop") {
    await markNotice(tx, event.id, "dropped", { held: false });
    return [];
  }
  const channelIds =
    event.kind === "resolved"
      ? await notifiedChannels(tx, event.alertId)
      : routeChannels(facts.severity, await ownerChannels(tx, facts.ownerId));
  return sendNotice(tx, event.id, facts.ownerId, channelIds);
}

/**
 * Held notices whose hold was to end by `now`, the longest due first: what the sweep looks at to
 * release. (A notice held until its alert resolves waits for the resolution or an unsnooze,
 * which make it due.)
 */
export async function heldNotices(
  db: Database,
  now: Date,
  limit = 500,
): Promise<{ eventId: string; alertId: string }[]> {
  const rows = await db.$client<{ id: string; alert_id: string }[]>`
    select id, alert_id from alert_events
    where notice = 'held' and hold_until <= ${now.toISOString()}::timestamptz
    order by hold_until limit ${limit}`;
  return rows.map((r) => ({ eventId: r.id, alertId: r.alert_id }));
}

/**
 * Makes held notices due now, for the next sweep to decide again: an alert's (its snooze changed
 * or ended), or an owner's held by maintenance (a window was deleted).
 */
export async function recheckHeldNotices(
  tx: Sql,
  where: { alertId: string } | { ownerId: string; maintenance: true },
): Promise<void> {
  if ("alertId" in where) {
    await tx`update alert_events set hold_until = now() where alert_id = ${where.alertId} and notice = 'held'`;
  } else {
    await tx`
      update alert_events set hold_until = now()
      where owner_id = ${where.ownerId} and notice = 'held' and hold_reason like 'maintenance:%'`;
  }
}

/**
 * Looks at one held notice again at `now`: still held, it waits; otherwise it is sent (where it
 * would go now for a fired one, where the fired one went for a resolved one) or dropped.
 */
export function releaseNotice(db: Database, eventId: string, now: Date): Promise<DeliveryKey[]> {
  return db.$client.begin(async (tx) => {
    const [event] = await tx<{ alert_id: string; kind: "fired" | "resolved" }[]>`
      select alert_id, kind from alert_events where id = ${eventId} and notice = 'held'`;
    if (!event) return [];
    const facts = await alertNoticeFacts(tx, event.alert_id);
    // Re-read under the alert's lock: a concurrent release or resolve may have settled it.
    const [still] = await tx`select 1 from alert_events where id = ${eventId} and notice = 'held'`;
    if (!facts || !still) return [];
    const hold = noticeHold(facts, now);
    const decision = noticeDecision({
      kind: event.kind,
      status: facts.status,
      firedNotice: facts.firedNotice,
      hold,
    });
    // Still held (by the same hold, extended, or another): looked at again when that one ends.
    if (decision === "hold") {
      await markNotice(tx, eventId, "held", hold);
      return [];
    }
    return applyDecision(
      tx,
      { id: eventId, alertId: event.alert_id, kind: event.kind },
      facts,
      decision,
      hold,
    );
  });
}

/**
 * Firing critical alerts nobody acknowledged whose fired notice went at least their owner's
 * escalation minutes before `now`, and whose owner set an escalation channel: what the sweep
 * looks at (escalateAlert decides with holds included).
 */
export async function escalationCandidates(db: Database, now: Date, limit = 500): Promise<string[]> {
  const rows = await db.$client<{ id: string }[]>`
    select a.id
    from alerts a
    join alert_events f on f.alert_id = a.id and f.kind = 'fired' and f.notice = 'sent'
    join notification_settings s on s.owner_id = f.owner_id and s.escalation_channel_id is not null
    where a.status = 'firing' and a.severity = 'critical' and a.acknowledged_at is null
      and a.escalated_at is null
      -- Snoozed ones never escalate: left out here, so they cannot crowd the others out.
      and not a.snoozed_until_resolved
      and (a.snoozed_until is null or a.snoozed_until <= ${now.toISOString()}::timestamptz)
      and f.notice_at <= ${now.toISOString()}::timestamptz - make_interval(mins => s.escalation_minutes)
    order by f.notice_at
    limit ${limit}`;
  return rows.map((r) => r.id);
}

/** Escalates one alert once, if it is due at `now`: an `escalated` event sent to the escalation channel. */
export function escalateAlert(db: Database, alertId: string, now: Date): Promise<DeliveryKey[]> {
  return db.$client.begin(async (tx) => {
    const facts = await alertNoticeFacts(tx, alertId);
    if (!facts) return [];
    const [settings] = await tx<{ channel_id: string | null; minutes: number }[]>`
      select escalation_channel_id as channel_id, escalation_minutes as minutes
      from notification_settings where owner_id = ${facts.ownerId}`;
    const due = escalationDue({
      ...facts,
      hold: noticeHold(facts, now),
      afterMinutes: settings?.minutes ?? 15,
      hasEscalationChannel: Boolean(settings?.channel_id),
      now,
    });
    if (!due || !settings?.channel_id) return [];
    const [event] = await tx<{ id: string }[]>`
      insert into alert_events (alert_id, owner_id, kind, at, notice)
      values (${alertId}, ${facts.ownerId}, 'escalated', ${now.toISOString()}::timestamptz, 'held')
      on conflict (alert_id, kind) where kind in ('fired','resolved','acknowledged','escalated') do nothing
      returning id`;
    if (!event) return [];
    await tx`update alerts set escalated_at = ${now.toISOString()}::timestamptz where id = ${alertId}`;
    return sendNotice(tx, event.id, facts.ownerId, [settings.channel_id]);
  });
}
