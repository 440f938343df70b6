// An alert event's deliveries (alert_deliveries, one row per event and destination, written with
// the event: queries/alert-evaluation.ts): an attempt's claim and lease, its outcome, and the
// sweep's adoption of what no live queue chain owns (docs/alerting.md, "Delivery").
//
// Raw SQL on `db.$client`, whose timestamp parsing and serializing Drizzle turned off: times are
// sent as ISO strings and cast in SQL, and read back as epoch milliseconds made into Dates here.
// Durations are computed on the database's clock, so leases and schedules compare on one clock.
import type { Database } from "../client";
import type { NoticeKind, Severity } from "../notices";
import type { AGGREGATES, ALERT_STATUSES, CHANNEL_KINDS, COMPARATORS } from "../schema/telemetry";
import type { DeliveryKey } from "./notices";

export type { DeliveryKey };
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

/** Where a claimed delivery goes: the channel as it is now. */
export interface DeliveryChannel {
  id: string;
  kind: ChannelKind;
  name: string;
  /** webhook, slack. */
  url: string | null;
  /** email: the address (the account's own e-mail for the account channel). */
  address: string | null;
  /** email: confirmed (the account's: verified by sign-up or the identity provider). */
  verified: boolean;
  /** webhook: the secrets to sign with, current first (the previous one during a rotation). */
  secrets: string[];
  /** webhook: what the deprecated X-Pulseboard-Signature is made with. */
  legacySecret: string | null;
}

/** An event claimed for a delivery attempt, with what its payload tells and where it goes. */
export interface EventForDelivery {
  id: string;
  /** The delivery's own id: stable across its retries (Standard Webhooks' webhook-id). */
  deliveryId: string;
  kind: NoticeKind;
  value: number | null;
  at: Date;
  /** Attempts so far, this one included: it also fences this attempt's writes. */
  attempts: number;
  channel: DeliveryChannel;
  alert: {
    id: string;
    status: (typeof ALERT_STATUSES)[number];
    triggeredAt: Date;
    resolvedAt: Date | null;
    windowStart: Date | null;
    windowEnd: Date | null;
    severity: Severity;
  };
  rule: {
    id: string;
    /** The rule's name now (null: described by its condition). */
    name: string | null;
    metric: string;
    comparator: (typeof COMPARATORS)[number];
    threshold: number;
    aggregate: (typeof AGGREGATES)[number];
    windowSeconds: number;
  };
  device: { id: string; name: string };
}

const fromMs = (ms: number | null): Date | null => (ms === null ? null : new Date(ms));

/**
 * Claims an event's delivery to a channel for one attempt, counting it and leasing it for
 * `leaseMs`: a pending delivery, or one in flight whose lease ended (its attempt crashed). A
 * concurrent claim waits for this one's commit and then finds nothing to claim, so only one
 * attempt sends. Undefined when there is nothing to claim (done, skipped, or leased).
 */
export async function claimDelivery(
  db: Database,
  { eventId, channelId }: DeliveryKey,
  leaseMs: number,
): Promise<EventForDelivery | undefined> {
  const [row] = await db.$client<
    {
      delivery_id: string;
      id: string;
      kind: EventForDelivery["kind"];
      value: number | null;
      at_ms: number;
      attempts: number;
      channel_kind: ChannelKind;
      channel_name: string;
      url: string | null;
      address: string | null;
      verified: boolean;
      secret: string | null;
      previous_secret: string | null;
      legacy_secret: string | null;
      alert_id: string;
      status: EventForDelivery["alert"]["status"];
      severity: Severity;
      triggered_at_ms: number;
      resolved_at_ms: number | null;
      window_start_ms: number | null;
      window_end_ms: number | null;
      rule_id: string;
      rule_name: string | null;
      metric: string;
      comparator: EventForDelivery["rule"]["comparator"];
      threshold: number;
      aggregate: EventForDelivery["rule"]["aggregate"];
      window_seconds: number;
      device_id: string;
      device_name: string;
    }[]
  >`
    with claimed as (
      update alert_deliveries set status = 'in_flight', attempts = attempts + 1,
             claimed_until = now() + make_interval(secs => ${leaseMs / 1000}), updated_at = now()
      where event_id = ${eventId} and channel_id = ${channelId}
        and (status = 'pending' or (status = 'in_flight' and claimed_until <= now()))
      returning id, event_id, channel_id, attempts
    )
    select c.id as delivery_id, e.id, e.kind, e.value::float8 as value,
           floor(extract(epoch from e.at) * 1000)::float8 as at_ms, c.attempts,
           ch.kind as channel_kind, ch.name as channel_name, ch.url,
           case when ch.is_account then u.email else ch.address end as address,
           case when ch.is_account then u.email_verified else ch.verified_at is not null end as verified,
           ch.secret,
           case when ch.previous_secret_until > now() then ch.previous_secret end as previous_secret,
           ch.legacy_secret,
           a.id as alert_id, a.status, a.severity,
           floor(extract(epoch from a.triggered_at) * 1000)::float8 as triggered_at_ms,
           floor(extract(epoch from a.resolved_at) * 1000)::float8 as resolved_at_ms,
           floor(extract(epoch from a.window_start) * 1000)::float8 as window_start_ms,
           floor(extract(epoch from a.window_end) * 1000)::float8 as window_end_ms,
           -- The condition the alert fired on (the rule may have been edited since).
           r.id as rule_id, r.name as rule_name, a.metric, a.comparator, a.threshold::float8 as threshold, a.aggregate, a.window_seconds,
           d.id as device_id, d.name as device_name
    from claimed c
    join notification_channels ch on ch.id = c.channel_id
    join "user" u on u.id = ch.owner_id
    join alert_events e on e.id = c.event_id
    join alerts a on a.id = e.alert_id
    join alert_rules r on r.id = a.rule_id
    join devices d on d.id = a.device_id`;
  if (!row) return undefined;
  return {
    id: row.id,
    deliveryId: row.delivery_id,
    kind: row.kind,
    value: row.value,
    at: new Date(row.at_ms),
    attempts: row.attempts,
    channel: {
      id: channelId,
      kind: row.channel_kind,
      name: row.channel_name,
      url: row.url,
      address: row.address,
      verified: row.verified,
      secrets: [row.secret, row.previous_secret].filter((x): x is string => x !== null),
      legacySecret: row.legacy_secret,
    },
    alert: {
      id: row.alert_id,
      status: row.status,
      severity: row.severity,
      triggeredAt: new Date(row.triggered_at_ms),
      resolvedAt: fromMs(row.resolved_at_ms),
      windowStart: fromMs(row.window_start_ms),
      windowEnd: fromMs(row.window_end_ms),
    },
    rule: {
      id: row.rule_id,
      name: row.rule_name,
      metric: row.metric,
      comparator: row.comparator,
      threshold: row.threshold,
      aggregate: row.aggregate,
      windowSeconds: row.window_seconds,
    },
    device: { id: row.device_id, name: row.device_name },
  };
}

/**
 * The channel of an event's webhook delivery, for a queue message from before channels
 * (`{eventId, destination: "webhook"}`): the migration gave those deliveries their owner's
 * webhook channel.
 */
export async function legacyWebhookChannel(db: Database, eventId: string): Promise<string | undefined> {
  const [row] = await db.$client<{ channel_id: string }[]>`
    select channel_id from alert_deliveries
    where event_id = ${eventId} and destination = 'webhook' and channel_id is not null
    order by created_at limit 1`;
  return row?.channel_id;
}

/** Which claimed attempt a write is for: a later claim (after this lease ended) wins over it. */
export interface ClaimedAttempt {
  eventId: string;
  channelId: string;
  /** The claim's attempt count. */
  attempts: number;
}

/** The destination accepted the event: delivered, whichever attempt holds the claim now. */
export async function markDeliveryDelivered(
  db: Database,
  { eventId, channelId }: Omit<ClaimedAttempt, "attempts">,
): Promise<void> {
  await db.$client`
    update alert_deliveries set status = 'delivered', claimed_until = null, last_error = null, updated_at = now()
    where event_id = ${eventId} and channel_id = ${channelId} and status in ('pending', 'in_flight')`;
}

/**
 * It cannot be sent, and trying again would not help (an e-mail address not confirmed, no mail
 * server configured): done, as `skipped`, with why in generic words.
 */
export async function markDeliverySkipped(
  db: Database,
  claim: ClaimedAttempt,
  reason: string,
): Promise<void> {
  await db.$client`
    update alert_deliveries set status = 'skipped', claimed_until = null, last_error = ${reason}, updated_at = now()
    where event_id = ${claim.eventId} and channel_id = ${claim.channelId}
      and status = 'in_flight' and attempts = ${claim.attempts}`;
}

/**
 * The claimed attempt failed with `error`: back to `pending`, owned by the queue chain whose next
 * retry is due in `retryInMs`; or, with `retryInMs` null (the last attempt), `failed`.
 */
export async function recordFailedDeliveryAttempt(
  db: Database,
  claim: ClaimedAttempt,
  error: string,
  retryInMs: number | null,
): Promise<void> {
  await db.$client`
    update alert_deliveries
    set status = ${retryInMs === null ? "failed" : "pending"}, claimed_until = null, last_error = ${error},
        next_attempt_at = case when ${retryInMs}::float8 is null then next_attempt_at
                               else now() + make_interval(secs => ${retryInMs}::float8 / 1000) end,
        updated_at = now()
    where event_id = ${claim.eventId} and channel_id = ${claim.channelId}
      and status = 'in_flight' and attempts = ${claim.attempts}`;
}

/**
 * Takes over, oldest first, the unfinished deliveries no live queue chain owns (`isOrphaned` in
 * apps/alerter/src/deliveries.ts states the rule this applies), at `now` (the database's clock
 * when undefined): pending ones whose next attempt was due over `graceMs` ago (with `anyPending`,
 * every pending one: the queue that held their chains is gone), and in-flight ones whose lease
 * ended (a crashed attempt, counted). Each taken is pending again and due at `now`, owned by the
 * chain the caller enqueues, so a concurrent or later sweep does not take it too.
 */
export async function adoptOrphanedDeliveries(
  db: Database,
  {
    now,
    graceMs,
    anyPending = false,
    limit = 500,
  }: { now?: Date; graceMs: number; anyPending?: boolean; limit?: number },
): Promise<DeliveryKey[]> {
  // A delivery whose channel was deleted has nowhere to go.
  await db.$client`
    update alert_deliveries set status = 'skipped', claimed_until = null,
           last_error = 'the channel was deleted', updated_at = now()
    where channel_id is null and status in ('pending', 'in_flight')`;
  const rows = await db.$client<{ event_id: string; channel_id: string }[]>`
    with clock as (select coalesce(${now?.toISOString() ?? null}::timestamptz, now()) as now),
    orphaned as (
      select d.id from alert_deliveries d, clock
      where (d.status = 'pending'
             and (${anyPending}::boolean or d.next_attempt_at <= clock.now - make_interval(secs => ${graceMs / 1000})))
         or (d.status = 'in_flight' and d.claimed_until <= clock.now)
      order by d.next_attempt_at
      limit ${limit}
      for update of d skip locked
    )
    update alert_deliveries d
    set status = 'pending', claimed_until = null, next_attempt_at = clock.now, updated_at = now()
    from orphaned o, clock
    where d.id = o.id
    returning d.event_id, d.channel_id`;
  return rows.map((r) => ({ eventId: r.event_id, channelId: r.channel_id }));
}
