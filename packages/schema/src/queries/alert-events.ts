// The alert_events outbox after a transition was recorded: the alerter's webhook delivery (claim,
// outcome, what is still undelivered) and the web app's catch-up after its LISTEN connection
// came back. (Events are written with their transition: queries/alert-evaluation.ts.)
//
// Raw SQL on `db.$client`, whose timestamp parsing and serializing Drizzle turned off: times are
// sent as ISO strings and cast in SQL, and read back as epoch milliseconds made into Dates here.
import type { Database } from "../client";
import type { AlertTransition } from "../live";
import type { AGGREGATES, ALERT_STATUSES, COMPARATORS } from "../schema/telemetry";

/** An event claimed for delivery, with what its webhook payload tells and where it goes. */
export interface EventForDelivery {
  id: string;
  kind: AlertTransition["kind"];
  value: number | null;
  at: Date;
  /** Attempts so far, this one included. */
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
 * Claims one event for a delivery attempt (pending -> delivering, or a delivering claim older than
 * a minute, left by a crash), counting the attempt, so concurrent deliveries of the same event do
 * not both send; undefined when it is not there to claim.
 */
export async function claimEventForDelivery(
  db: Database,
  eventId: string,
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
      update alert_events set webhook_status = 'delivering', webhook_attempts = webhook_attempts + 1,
             webhook_updated_at = now()
      where id = ${eventId}
        and (webhook_status = 'pending'
             or (webhook_status = 'delivering' and webhook_updated_at < now() - interval '1 minute'))
      returning *
    )
    select c.id, c.kind, c.value::float8 as value, floor(extract(epoch from c.at) * 1000)::float8 as at_ms,
           c.webhook_attempts as attempts, n.webhook_url, n.webhook_secret,
           a.id as alert_id, a.status,
           floor(extract(epoch from a.triggered_at) * 1000)::float8 as triggered_at_ms,
           floor(extract(epoch from a.resolved_at) * 1000)::float8 as resolved_at_ms,
           floor(extract(epoch from a.window_start) * 1000)::float8 as window_start_ms,
           floor(extract(epoch from a.window_end) * 1000)::float8 as window_end_ms,
           r.id as rule_id, r.metric, r.comparator, r.threshold::float8 as threshold, r.aggregate, r.window_seconds,
           d.id as device_id, d.name as device_name
    from claimed c
    join alerts a on a.id = c.alert_id
    join alert_rules r on r.id = a.rule_id
    join devices d on d.id = a.device_id
    left join notification_settings n on n.owner_id = c.owner_id`;
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

/** The owner has no webhook: the event is done, as `skipped`. */
export async function markEventSkipped(db: Database, eventId: string): Promise<void> {
  await db.$client`
    update alert_events set webhook_status = 'skipped', webhook_updated_at = now() where id = ${eventId}`;
}

/** The webhook accepted the event. */
export async function markEventDelivered(db: Database, eventId: string): Promise<void> {
  await db.$client`
    update alert_events set webhook_status = 'delivered', webhook_last_error = null, webhook_updated_at = now()
    where id = ${eventId}`;
}

/**
 * An attempt failed with `error`: the event goes back to `pending` for the queue's retry, or, when
 * `final`, is marked `failed`.
 */
export async function recordFailedDeliveryAttempt(
  db: Database,
  eventId: string,
  error: string,
  final: boolean,
): Promise<void> {
  await db.$client`
    update alert_events set webhook_status = ${final ? "failed" : "pending"}, webhook_last_error = ${error},
           webhook_updated_at = now()
    where id = ${eventId}`;
}

/**
 * Events recorded but not delivered (a crash between commit and delivery, a lost queue message):
 * pending for over `olderThanSeconds`, or stuck in delivery for over a minute; their ids, oldest
 * first.
 */
export async function undeliveredEventIds(
  db: Database,
  olderThanSeconds: number,
  limit = 500,
): Promise<string[]> {
  const rows = await db.$client<{ id: string }[]>`
    select id from alert_events
    where (webhook_status = 'pending' and webhook_updated_at < now() - make_interval(secs => ${olderThanSeconds}))
       or (webhook_status = 'delivering' and webhook_updated_at < now() - interval '1 minute')
    order by webhook_updated_at
    limit ${limit}`;
  return rows.map((r) => r.id);
}

/** A recorded transition as the live stream tells it, with its owner. */
export type RecordedAlertEvent = AlertTransition;

/** These owners' alert events recorded at or after `since`, oldest first (the live catch-up). */
export async function alertEventsSince(
  db: Database,
  ownerIds: string[],
  since: Date,
): Promise<RecordedAlertEvent[]> {
  if (ownerIds.length === 0) return [];
  const rows = await db.$client<
    {
      owner_id: string;
      kind: AlertTransition["kind"];
      alert_id: string;
      event_id: string;
      rule_id: string;
      device_id: string;
      value: number | null;
    }[]
  >`
    select e.owner_id, e.kind, e.alert_id, e.id as event_id, a.rule_id, a.device_id, e.value::float8 as value
    from alert_events e join alerts a on a.id = e.alert_id
    where e.owner_id = any(${ownerIds}::text[]) and e.at >= ${since.toISOString()}::timestamptz
    order by e.at`;
  return rows.map((r) => ({
    ownerId: r.owner_id,
    kind: r.kind,
    alertId: r.alert_id,
    eventId: r.event_id,
    ruleId: r.rule_id,
    deviceId: r.device_id,
    value: r.value,
  }));
}
