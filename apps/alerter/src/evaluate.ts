// Evaluation: one query reads every rule of the given devices with its window's aggregate (from
// the (device_id, metric, recorded_at) index) and whether it has a firing alert; the pure
// `decide` says what to do; each transition is written once, in one transaction with its outbox
// event and a pg_notify. Duplicate, concurrent and out-of-order deliveries converge: opening is
// `insert ... on conflict do nothing` against the one-firing-alert-per-rule index, resolving
// updates only a firing alert, and the window is always the one ending now.
import type { SqlClient } from "@pulseboard/schema/client";
import type postgres from "postgres";

// Timestamps are passed as ISO strings: a client shared with Drizzle has its own Date handling.
import { type Aggregate, type Comparator, decide, type NoDataPolicy } from "./decide";

/** The channel the web app LISTENs on for alert transitions. */
export { ALERTS_CHANNEL } from "@pulseboard/schema/live";

import { ALERTS_CHANNEL, type AlertTransition } from "@pulseboard/schema/live";

export interface RuleState {
  ruleId: string;
  deviceId: string;
  ownerId: string;
  metric: string;
  comparator: Comparator;
  threshold: number;
  recoveryThreshold: number | null;
  windowSeconds: number;
  aggregate: Aggregate;
  noData: NoDataPolicy;
  /** The aggregate of the window (null: no readings in it). */
  value: number | null;
  firingAlertId: string | null;
}

/** A transition this alerter recorded; also what its NOTIFY carries. */
export type Transition = AlertTransition;

/** Every rule of these devices, with the aggregate of its window ending at `now`. */
export async function loadRuleStates(sql: SqlClient, deviceIds: string[], now: Date): Promise<RuleState[]> {
  if (deviceIds.length === 0) return [];
  const rows = await sql<
    {
      rule_id: string;
      device_id: string;
      owner_id: string;
      metric: string;
      comparator: Comparator;
      threshold: number;
      recovery_threshold: number | null;
      window_seconds: number;
      aggregate: Aggregate;
      no_data: NoDataPolicy;
      value: number | null;
      firing_alert_id: string | null;
    }[]
  >`
    select r.id as rule_id, r.device_id, d.owner_id, r.metric, r.comparator, r.threshold::float8 as threshold,
           r.recovery_threshold::float8 as recovery_threshold, r.window_seconds, r.aggregate, r.no_data,
           w.value, a.id as firing_alert_id
    from alert_rules r
    join devices d on d.id = r.device_id
    left join alerts a on a.rule_id = r.id and a.status = 'firing'
    cross join lateral (
      -- Only the rule's own aggregate is computed: 'last' is one backward index step, the others
      -- one pass over the window's index range (values as float8: cheaper than numeric).
      select case
               when r.aggregate = 'last' then (
                 select s.value::float8 from sensor_readings s
                 where s.device_id = r.device_id and s.metric = r.metric
                   and s.recorded_at >= ${now.toISOString()}::timestamptz - make_interval(secs => r.window_seconds)
                   and s.recorded_at <= ${now.toISOString()}::timestamptz
                 order by s.recorded_at desc limit 1)
               else (
                 select case r.aggregate
                          when 'avg' then avg(v)
                          when 'min' then min(v)
                          when 'max' then max(v)
                          else count(*)::float8
                        end
                 from (
                   select s.value::float8 as v from sensor_readings s
                   where s.device_id = r.device_id and s.metric = r.metric
                     -- The window includes its start: [now - window, now].
                     and s.recorded_at >= ${now.toISOString()}::timestamptz - make_interval(secs => r.window_seconds)
                     and s.recorded_at <= ${now.toISOString()}::timestamptz
                 ) w)
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

/** Opens an alert for the rule unless one is firing; records `fired` once. */
async function open(sql: SqlClient, state: RuleState, now: Date): Promise<Transition | undefined> {
  return sql.begin(async (tx) => {
    const windowStart = new Date(now.getTime() - state.windowSeconds * 1000);
    const [alert] = await tx<{ id: string }[]>`
      insert into alerts (rule_id, device_id, status, triggered_at, value, window_start, window_end)
      values (${state.ruleId}, ${state.deviceId}, 'firing', ${now.toISOString()}, ${state.value},
              ${windowStart.toISOString()}, ${now.toISOString()})
      on conflict (rule_id) where status = 'firing' do nothing
      returning id`;
    if (!alert) return undefined;
    return recordEvent(tx, state, alert.id, "fired", now);
  });
}

/** Resolves the rule's firing alert, if it still is; records `resolved` once. */
async function resolve(sql: SqlClient, state: RuleState, now: Date): Promise<Transition | undefined> {
  return sql.begin(async (tx) => {
    const [alert] = await tx<{ id: string }[]>`
      update alerts set status = 'resolved', resolved_at = ${now.toISOString()}, resolved_value = ${state.value}
      where rule_id = ${state.ruleId} and status = 'firing'
      returning id`;
    if (!alert) return undefined;
    return recordEvent(tx, state, alert.id, "resolved", now);
  });
}

async function recordEvent(
  tx: postgres.TransactionSql,
  state: RuleState,
  alertId: string,
  kind: "fired" | "resolved",
  now: Date,
): Promise<Transition | undefined> {
  const [event] = await tx<{ id: string }[]>`
    insert into alert_events (alert_id, owner_id, kind, value, at)
    values (${alertId}, ${state.ownerId}, ${kind}, ${state.value}, ${now.toISOString()})
    on conflict (alert_id, kind) do nothing
    returning id`;
  if (!event) return undefined;
  const transition: Transition = {
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

/** Evaluates every rule of the devices now; returns the transitions this call made. */
export async function evaluateDevices(
  sql: SqlClient,
  deviceIds: string[],
  now = new Date(),
): Promise<Transition[]> {
  const states = await loadRuleStates(sql, deviceIds, now);
  const transitions: Transition[] = [];
  for (const state of states) {
    const decision = decide(state, state.value, state.firingAlertId !== null);
    const made =
      decision === "open"
        ? await open(sql, state, now)
        : decision === "resolve"
          ? await resolve(sql, state, now)
          : undefined;
    if (made) transitions.push(made);
  }
  return transitions;
}

/** Devices with no reading for their silence period go offline; those with recent ones, online. */
export async function markSilence(
  sql: SqlClient,
  now = new Date(),
): Promise<{ offline: number; online: number }> {
  const offline = await sql`
    update devices set status = 'offline'
    where status = 'online' and (last_seen_at is null or last_seen_at < ${now.toISOString()}::timestamptz - make_interval(secs => silence_seconds))`;
  const online = await sql`
    update devices set status = 'online'
    where status = 'offline' and last_seen_at >= ${now.toISOString()}::timestamptz - make_interval(secs => silence_seconds)`;
  return { offline: offline.count, online: online.count };
}

/** Every device that has rules, for the sweep. */
export async function devicesWithRules(sql: SqlClient): Promise<string[]> {
  const rows = await sql<{ device_id: string }[]>`select distinct device_id from alert_rules`;
  return rows.map((r) => r.device_id);
}
