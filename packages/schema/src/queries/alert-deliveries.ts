// An alert event's deliveries (alert_deliveries, one row per event and destination, written with
// the event: queries/alert-evaluation.ts): an attempt's claim and lease, its outcome, and the
// sweep's adoption of what no live queue chain owns (docs/alerting.md, "Delivery").
//
// Raw SQL on `db.$client`, whose timestamp parsing and serializing Drizzle turned off: times are
// sent as ISO strings and cast in SQL, and read back as epoch milliseconds made into Dates here.
// Durations are computed on the database's clock, so leases and schedules compare on one clock.
import type { Database } from "../client";
import type { AlertTransition } from "../live";
import type { AGGREGATES, ALERT_STATUSES, COMPARATORS, DELIVERY_DESTINATIONS } from "../schema/telemetry";

export type DeliveryDestination = (typeof DELIVERY_DESTINATIONS)[number];

/** An event claimed for a delivery attempt, with what its payload tells and where it goes. */
export interface EventForDelivery {
  id: string;
  kind: AlertTransition["kind"];
  value: number | null;
  at: Date;
  /** Attempts so far, this one included: it also fences this attempt's writes. */
  attempts: number;
  webhookUrl: string | null;
  webhookSecret: string | null;
  alert: {
    id: string;
    status: (typeof ALERT_STATUSES)[number];
    triggeredAt: Date;
    resolvedAt: Date | null;
    windowStart: Date | null;
    windowEnd: Date | null;
  };
  rule: {
    id: string;
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
 * Claims an event's delivery to `destination` for one attempt, counting it and leasing it for
 * `leaseMs`: a pending delivery, or one in flight whose lease ended (its attempt crashed). A
 * concurrent claim waits for this one's commit and then finds nothing to claim, so only one
 * attempt sends. Undefined when there is nothing to claim (done, skipped, or leased).
 */
export async function claimDelivery(
  db: Database,
  eventId: string,
  destination: DeliveryDestination,
  leaseMs: number,
): Promise<EventForDelivery | undefined> {
  const [row] = await db.$client<
    {
      id: string;
      kind: EventForDelivery["kind"];
      value: number | null;
      at_ms: number;
      attempts: number;
      webhook_url: string | null;
      webhook_secret: string | null;
      alert_id: string;
      status: EventForDelivery["alert"]["status"];
      triggered_at_ms: number;
      resolved_at_ms: number | null;
      window_start_ms: number | null;
      window_end_ms: number | null;
      rule_id: string;
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
      where event_id = ${eventId} and destination = ${destination}
        and (status = 'pending' or (status = 'in_flight' and claimed_until <= now()))
      returning event_id, attempts
    )
    select e.id, e.kind, e.value::float8 as value, floor(extract(epoch from e.at) * 1000)::float8 as at_ms,
           c.attempts, n.webhook_url, n.webhook_secret,
           a.id as alert_id, a.status,
           floor(extract(epoch from a.triggered_at) * 1000)::float8 as triggered_at_ms,
           floor(extract(epoch from a.resolved_at) * 1000)::float8 as resolved_at_ms,
           floor(extract(epoch from a.window_start) * 1000)::float8 as window_start_ms,
           floor(extract(epoch from a.window_end) * 1000)::float8 as window_end_ms,
           -- The condition the alert fired on (the rule may have been edited since).
           r.id as rule_id, a.metric, a.comparator, a.threshold::float8 as threshold, a.aggregate, a.window_seconds,
           d.id as device_id, d.name as device_name
    from claimed c
    join alert_events e on e.id = c.event_id
    join alerts a on a.id = e.alert_id
    join alert_rules r on r.id = a.rule_id
    join devices d on d.id = a.device_id
    left join notification_settings n on n.owner_id = e.owner_id`;
  if (!row) return undefined;
  return {
    id: row.id,
    kind: row.kind,
    value: row.value,
    at: new Date(row.at_ms),
    attempts: row.attempts,
    webhookUrl: row.webhook_url,
    webhookSecret: row.webhook_secret,
    alert: {
      id: row.alert_id,
      status: row.status,
      triggeredAt: new Date(row.triggered_at_ms),
      resolvedAt: fromMs(row.resolved_at_ms),
      windowStart: fromMs(row.window_start_ms),
      windowEnd: fromMs(row.window_end_ms),
    },
    rule: {
      id: row.rule_id,
      metric: row.metric,
      comparator: row.comparator,
      threshold: row.threshold,
      aggregate: row.aggregate,
      windowSeconds: row.window_seconds,
    },
    device: { id: row.device_id, name: row.device_name },
  };
}

/** Which claimed attempt a write is for: a later claim (after this lease ended) wins over it. */
export interface ClaimedAttempt {
  eventId: string;
  destination: DeliveryDestination;
  /** The claim's attempt count. */
  attempts: number;
}

/** The destination accepted the event: delivered, whichever attempt holds the claim now. */
export async function markDeliveryDelivered(
  db: Database,
  { eventId, destination }: Omit<ClaimedAttempt, "attempts">,
): Promise<void> {
  await db.$client`
    update alert_deliveries set status = 'delivered', claimed_until = null, last_error = null, updated_at = now()
    where event_id = ${eventId} and destination = ${destination} and status in ('pending', 'in_flight')`;
}

/** There is nowhere to send it (the owner's webhook was removed): done, as `skipped`. */
export async function markDeliverySkipped(db: Database, claim: ClaimedAttempt): Promise<void> {
  await db.$client`
    update alert_deliveries set status = 'skipped', claimed_until = null, updated_at = now()
    where event_id = ${claim.eventId} and destination = ${claim.destination}
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
    where event_id = ${claim.eventId} and destination = ${claim.destination}
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
): Promise<{ eventId: string; destination: DeliveryDestination }[]> {
  const rows = await db.$client<{ event_id: string; destination: DeliveryDestination }[]>`
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
    returning d.event_id, d.destination`;
  return rows.map((r) => ({ eventId: r.event_id, destination: r.destination }));
}
