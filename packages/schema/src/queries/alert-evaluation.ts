// The alerter's evaluation in SQL: every rule of some devices with its window's aggregate (from
// the (device_id, metric, recorded_at) index) and its firing alert, and the two transitions, each
// written once, in one transaction with its outbox event and a pg_notify. Duplicate, concurrent and
// out-of-order evaluations converge: opening is `insert ... on conflict do nothing` against the
// one-firing-alert-per-rule index, resolving updates only a firing alert.
//
// Raw SQL on `db.$client`, whose timestamp parsing and serializing Drizzle turned off: every time
// is sent as an ISO string and cast in SQL, and none is read back.
import type postgres from "postgres";
import type { Database } from "../client";
import { ALERTS_CHANNEL, type AlertTransition } from "../live";
import type { AGGREGATES, COMPARATORS, NO_DATA_POLICIES } from "../schema/telemetry";
import { TIERED_WINDOW_SECONDS } from "../tiers";
import { ROLLABLE, ROLLUP_1M } from "./rollups";

/** A rule as evaluated at one moment: its settings, its window's aggregate, its firing alert. */
export interface RuleState {
  ruleId: string;
  deviceId: string;
  ownerId: string;
  metric: string;
  comparator: (typeof COMPARATORS)[number];
  threshold: number;
  recoveryThreshold: number | null;
  windowSeconds: number;
  aggregate: (typeof AGGREGATES)[number];
  noData: (typeof NO_DATA_POLICIES)[number];
  /** The aggregate of the window (null: no readings in it; `count` is 0 then). */
  value: number | null;
  firingAlertId: string | null;
}

/** Every rule of these devices, with the aggregate of its window `[now - window, now]`. */
export async function loadRuleStates(db: Database, deviceIds: string[], now: Date): Promise<RuleState[]> {
  if (deviceIds.length === 0) return [];
  const at = now.toISOString();
  const rows = await db.$client<
    {
      rule_id: string;
      device_id: string;
      owner_id: string;
      metric: string;
      comparator: RuleState["comparator"];
      threshold: number;
      recovery_threshold: number | null;
      window_seconds: number;
      aggregate: RuleState["aggregate"];
      no_data: RuleState["noData"];
      value: number | null;
      firing_alert_id: string | null;
    }[]
  >`
    select r.id as rule_id, r.device_id, d.owner_id, r.metric, r.comparator, r.threshold::float8 as threshold,
           r.recovery_threshold::float8 as recovery_threshold, r.window_seconds, r.aggregate, r.no_data,
           w.value, a.id as firing_alert_id
    from alert_rules r
    join devices d on d.id = r.device_id
    -- The minute roll-up's watermark, read in this statement's snapshot with the rows it covers.
    cross join (
      select coalesce((select w.cutoff from rollup_watermarks w where w.name = ${ROLLUP_1M}), '-infinity') as cutoff
    ) mark
    left join alerts a on a.rule_id = r.id and a.status = 'firing'
    cross join lateral (
      -- The window [now - window_seconds, now]: s its start, e its end, and [m0, m1) the whole
      -- minutes in it (m0 the first minute starting at or after s, m1 the minute holding e).
      select ${at}::timestamptz - make_interval(secs => r.window_seconds) as s,
             ${at}::timestamptz as e,
             date_bin('1 minute', ${at}::timestamptz - make_interval(secs => r.window_seconds) - interval '1 microsecond',
                      timestamptz '1970-01-01 00:00:00+00') + interval '1 minute' as m0,
             date_bin('1 minute', ${at}::timestamptz, timestamptz '1970-01-01 00:00:00+00') as m1
    ) b
    cross join lateral (
      -- Only the rule's own aggregate is computed, exactly (numeric, as stored; float8 at the
      -- end), so the two ways of reading a window agree to the last bit:
      -- - 'last': one backward step along the key;
      -- - short windows (windowReadsTiers in ../tiers.ts): one pass over the window's readings;
      -- - long windows: the minute roll-ups of the whole minutes, the readings of the edge
      --   minutes, and the readings of the whole minutes not rolled up yet (as charts read them:
      --   queries/rollups.ts), combined.
      select case
               when r.aggregate = 'last' then (
                 select s.value::float8 from sensor_readings_all s
                 where s.device_id = r.device_id and s.metric = r.metric
                   and s.recorded_at >= b.s and s.recorded_at <= b.e
                 order by s.recorded_at desc limit 1)
               when r.window_seconds < ${TIERED_WINDOW_SECONDS} then (
                 select case r.aggregate
                          when 'avg' then avg(s.value)::float8
                          when 'min' then min(s.value)::float8
                          when 'max' then max(s.value)::float8
                          else count(*)::float8
                        end
                 from sensor_readings_all s
                 where s.device_id = r.device_id and s.metric = r.metric
                   -- The window includes its start: [now - window, now].
                   and s.recorded_at >= b.s and s.recorded_at <= b.e)
               else (
                 select case r.aggregate
                          when 'avg' then (sum(p.sum) / nullif(sum(p.n), 0))::float8
                          when 'min' then min(p.min)::float8
                          when 'max' then max(p.max)::float8
                          else coalesce(sum(p.n), 0)::float8
                        end
                 from (
                   select m.min, m.max, m.sum, m.count::bigint as n
                   from reading_rollups_1m_all m
                   where m.device_id = r.device_id and m.metric = r.metric
                     and m.bucket_start >= b.m0 and m.bucket_start < b.m1
                   union all
                   select s.value, s.value, s.value, 1 from sensor_readings_all s
                   where s.device_id = r.device_id and s.metric = r.metric
                     and s.recorded_at >= b.s and s.recorded_at < b.m0
                   union all
                   select s.value, s.value, s.value, 1 from sensor_readings_all s
                   where s.device_id = r.device_id and s.metric = r.metric
                     and s.recorded_at >= b.m1 and s.recorded_at <= b.e
                   union all
                   -- Not rolled up yet, recent (rollable after the cutoff: received less than a
                   -- minute before it; on time means recorded at most 3 minutes before it).
                   select s.value, s.value, s.value, 1 from sensor_readings_all s
                   where s.device_id = r.device_id and s.metric = r.metric
                     and s.recorded_at >= greatest(b.m0, mark.cutoff - interval '3 minutes')
                     and s.recorded_at < b.m1
                     and ${db.$client.unsafe(ROLLABLE)} > mark.cutoff
                   union all
                   -- Not rolled up yet, late: from the partial index of late arrivals.
                   select s.value, s.value, s.value, 1 from sensor_readings_all s
                   where s.device_id = r.device_id and s.metric = r.metric
                     and s.received_at - s.recorded_at > interval '2 minutes'
                     and s.received_at > mark.cutoff - interval '1 minute'
                     and s.recorded_at >= b.m0
                     and s.recorded_at < least(b.m1, mark.cutoff - interval '3 minutes')
                     and ${db.$client.unsafe(ROLLABLE)} > mark.cutoff
                 ) p)
             end as value
    ) w
    where r.device_id = any(${deviceIds}::uuid[])`;
  return rows.map((r) => ({
    ruleId: r.rule_id,
    deviceId: r.device_id,
    ownerId: r.owner_id,
    metric: r.metric,
    comparator: r.comparator,
    threshold: r.threshold,
    recoveryThreshold: r.recovery_threshold,
    windowSeconds: r.window_seconds,
    aggregate: r.aggregate,
    noData: r.no_data,
    // count(*) over an empty window is 0 (a value); the others are null (no data).
    value: r.aggregate === "count" ? (r.value ?? 0) : r.value,
    firingAlertId: r.firing_alert_id,
  }));
}

/**
 * Opens an alert for the rule at `now` with the state's value and window, unless one is firing,
 * and records `fired` once; undefined when nothing was opened.
 */
export function openAlert(db: Database, state: RuleState, now: Date): Promise<AlertTransition | undefined> {
  return db.$client.begin(async (tx) => {
    const windowStart = new Date(now.getTime() - state.windowSeconds * 1000);
    const [alert] = await tx<{ id: string }[]>`
      insert into alerts (rule_id, device_id, status, triggered_at, value, window_start, window_end)
      values (${state.ruleId}, ${state.deviceId}, 'firing', ${now.toISOString()}::timestamptz, ${state.value},
              ${windowStart.toISOString()}::timestamptz, ${now.toISOString()}::timestamptz)
      on conflict (rule_id) where status = 'firing' do nothing
      returning id`;
    if (!alert) return undefined;
    return recordTransition(tx, state, alert.id, "fired", now);
  });
}

/**
 * Resolves the rule's firing alert at `now` with the state's value, if it still is firing, and
 * records `resolved` once; undefined when nothing was resolved.
 */
export function resolveAlert(
  db: Database,
  state: RuleState,
  now: Date,
): Promise<AlertTransition | undefined> {
  return db.$client.begin(async (tx) => {
    const [alert] = await tx<{ id: string }[]>`
      update alerts set status = 'resolved', resolved_at = ${now.toISOString()}::timestamptz,
             resolved_value = ${state.value}
      where rule_id = ${state.ruleId} and status = 'firing'
      returning id`;
    if (!alert) return undefined;
    return recordTransition(tx, state, alert.id, "resolved", now);
  });
}

/**
 * The transition's outbox event (once per alert and kind), its delivery and its NOTIFY, in the
 * caller's transaction.
 */
async function recordTransition(
  tx: postgres.TransactionSql,
  state: RuleState,
  alertId: string,
  kind: AlertTransition["kind"],
  now: Date,
): Promise<AlertTransition | undefined> {
  const [event] = await tx<{ id: string }[]>`
    insert into alert_events (alert_id, owner_id, kind, value, at)
    values (${alertId}, ${state.ownerId}, ${kind}, ${state.value}, ${now.toISOString()}::timestamptz)
    on conflict (alert_id, kind) do nothing
    returning id`;
  if (!event) return undefined;
  // Its delivery to the owner's webhook, in the same transaction (the outbox), due at once (the
  // database's now, whatever time the evaluation judged); without a webhook there is nowhere to
  // send it, recorded as such.
  await tx`
    insert into alert_deliveries (event_id, destination, status)
    select ${event.id}::uuid, 'webhook',
           case when exists (select 1 from notification_settings n
                             where n.owner_id = ${state.ownerId} and n.webhook_url is not null)
                then 'pending' else 'skipped' end`;
  const transition: AlertTransition = {
    kind,
    alertId,
    eventId: event.id,
    ruleId: state.ruleId,
    deviceId: state.deviceId,
    ownerId: state.ownerId,
    value: state.value,
  };
  // Delivered at commit, to the dashboard's LISTEN on the direct endpoint.
  await tx`select pg_notify(${ALERTS_CHANNEL}, ${JSON.stringify(transition)})`;
  return transition;
}

/** Every device that has rules (what a sweep evaluates). */
export async function devicesWithRules(db: Database): Promise<string[]> {
  const rows = await db.$client<{ device_id: string }[]>`select distinct device_id from alert_rules`;
  return rows.map((r) => r.device_id);
}
