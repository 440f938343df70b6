// Webhook delivery of an alert event to its owner: JSON body, signed with HMAC-SHA256 over
// `<timestamp>.<body>` with the owner's secret (headers below), delivery state recorded on the
// event. A failed attempt throws so the queue retries it with backoff; after the last attempt the
// event is marked failed and shown as such.
import { postSignedWebhook } from "@pulseboard/runtime/webhook";
import type { SqlClient } from "@pulseboard/schema/client";

export {
  EVENT_ID_HEADER,
  SIGNATURE_HEADER,
  signWebhook,
  TIMESTAMP_HEADER,
} from "@pulseboard/runtime/webhook";

export type DeliveryOutcome = "delivered" | "retry" | "failed" | "skipped" | "not_pending";

export class RetryableDeliveryError extends Error {
  override name = "RetryableDeliveryError";
}

interface EventForDelivery {
  id: string;
  kind: "fired" | "resolved";
  value: number | null;
  at: Date;
  attempts: number;
  webhook_url: string | null;
  webhook_secret: string | null;
  alert_id: string;
  status: string;
  triggered_at: Date;
  resolved_at: Date | null;
  window_start: Date | null;
  window_end: Date | null;
  rule_id: string;
  metric: string;
  comparator: string;
  threshold: number;
  aggregate: string;
  window_seconds: number;
  device_id: string;
  device_name: string;
}

export interface DeliveryOptions {
  maxAttempts: number;
  timeoutMs: number;
}

/**
 * Delivers one event. Claims it first (pending -> delivering, or a delivering claim older than a
 * minute, left by a crash), so concurrent deliveries of the same event do not both send.
 */
export async function deliverEvent(
  sql: SqlClient,
  eventId: string,
  options: DeliveryOptions,
): Promise<DeliveryOutcome> {
  const [event] = await sql<EventForDelivery[]>`
    with claimed as (
      update alert_events set webhook_status = 'delivering', webhook_attempts = webhook_attempts + 1,
             webhook_updated_at = now()
      where id = ${eventId}
        and (webhook_status = 'pending'
             or (webhook_status = 'delivering' and webhook_updated_at < now() - interval '1 minute'))
      returning *
    )
    select c.id, c.kind, c.value::float8 as value, c.at, c.webhook_attempts as attempts,
           n.webhook_url, n.webhook_secret,
           a.id as alert_id, a.status, a.triggered_at, a.resolved_at, a.window_start, a.window_end,
           r.id as rule_id, r.metric, r.comparator, r.threshold::float8 as threshold, r.aggregate, r.window_seconds,
           d.id as device_id, d.name as device_name
    from claimed c
    join alerts a on a.id = c.alert_id
    join alert_rules r on r.id = a.rule_id
    join devices d on d.id = a.device_id
    left join notification_settings n on n.owner_id = c.owner_id`;
  if (!event) return "not_pending";
  if (!event.webhook_url || !event.webhook_secret) {
    await sql`update alert_events set webhook_status = 'skipped', webhook_updated_at = now() where id = ${eventId}`;
    return "skipped";
  }
  const body = JSON.stringify({
    id: event.id,
    type: `alert.${event.kind}`,
    at: new Date(event.at).toISOString(),
    value: event.value,
    alert: {
      id: event.alert_id,
      status: event.status,
      triggeredAt: new Date(event.triggered_at).toISOString(),
      resolvedAt: event.resolved_at ? new Date(event.resolved_at).toISOString() : null,
      windowStart: event.window_start ? new Date(event.window_start).toISOString() : null,
      windowEnd: event.window_end ? new Date(event.window_end).toISOString() : null,
    },
    rule: {
      id: event.rule_id,
      metric: event.metric,
      comparator: event.comparator,
      threshold: event.threshold,
      aggregate: event.aggregate,
      windowSeconds: event.window_seconds,
    },
    device: { id: event.device_id, name: event.device_name },
  });
  const result = await postSignedWebhook(
    event.webhook_url,
    event.webhook_secret,
    { id: event.id, body },
    options.timeoutMs,
  );
  if (result.ok) {
    await sql`update alert_events set webhook_status = 'delivered', webhook_last_error = null, webhook_updated_at = now()
              where id = ${eventId}`;
    return "delivered";
  }
  const { error } = result;
  const final = event.attempts >= options.maxAttempts;
  await sql`update alert_events set webhook_status = ${final ? "failed" : "pending"}, webhook_last_error = ${error},
            webhook_updated_at = now() where id = ${eventId}`;
  if (final) return "failed";
  throw new RetryableDeliveryError(
    `webhook delivery failed (${error}); attempt ${event.attempts} of ${options.maxAttempts}`,
  );
}

/** Events recorded but not delivered (a crash between commit and delivery): their ids. */
export async function undeliveredEvents(
  sql: SqlClient,
  olderThanSeconds: number,
  limit = 500,
): Promise<string[]> {
  const rows = await sql<{ id: string }[]>`
    select id from alert_events
    where (webhook_status = 'pending' and webhook_updated_at < now() - make_interval(secs => ${olderThanSeconds}))
       or (webhook_status = 'delivering' and webhook_updated_at < now() - interval '1 minute')
    order by webhook_updated_at
    limit ${limit}`;
  return rows.map((r) => r.id);
}
