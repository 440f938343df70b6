// The alert_events outbox read back: the web app's catch-up after its LISTEN connection came
// back. (Events are written with their transition: queries/alert-evaluation.ts; their deliveries
// are queries/alert-deliveries.ts.)
//
// Raw SQL on `db.$client`, whose timestamp parsing and serializing Drizzle turned off: times are
// sent as ISO strings and cast in SQL.
import type { Database } from "../client";
import type { AlertTransition } from "../live";

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
      and e.kind in ('fired', 'resolved')
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
