// The alerter's evaluation in SQL: every rule of some devices with its window's aggregate and its
// firing alert, and the two transitions, each written once, in one transaction with its outbox
// event and a pg_notify. Duplicate, concurrent and out-of-order evaluations converge: opening is
// `insert ... on conflict do nothing` against the one-firing-alert-per-rule index, resolving
// updates only a firing alert.
//
// Windows are read in at most three statements (tiers.ts, windowReadGroups), each bounded by its
// group's longest window so the planner keeps only the partitions it reads: short windows from
// the readings' key alone (it carries the value), long `last` windows one step back along it,
// other long windows from the minute roll-ups and a raw tail. All aggregate numeric values, as
// stored, and hand float8 on, so both ways agree to the last bit.
//
// Raw SQL on `db.$client`, whose timestamp parsing and serializing Drizzle turned off: every time
// is sent as an ISO string and cast in SQL, and none is read back.
import type postgres from "postgres";
import type { Database } from "../client";
import { ALERTS_CHANNEL, type AlertTransition } from "../live";
import type { AGGREGATES, COMPARATORS, NO_DATA_POLICIES } from "../schema/telemetry";
import { windowReadGroups } from "../tiers";
import { type DeliveryKey, noticeTransition } from "./notices";
import { minuteRollupCutoff, ROLLABLE } from "./rollups";

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
  // One snapshot for the rules, the minute roll-up's watermark and the rows it covers.
  return db.$client.begin("isolation level repeatable read read only", async (tx) => {
    const rules = await rulesOf(tx, deviceIds);
    if (rules.length === 0) return [];
    const values = new Map<string, number | null>();
    for (const group of windowReadGroups(rules, now)) {
      const rows =
        group.read === "raw"
          ? await rawWindows(tx, group.rules, now, group.from)
          : await tieredWindows(tx, group.rules, now, group.from, await minuteRollupCutoff(tx));
      for (const row of rows) values.set(row.rule_id, row.value);
    }
    return rules.map(({ rule, ...state }) => {
      const value = values.get(rule) ?? null;
      // count(*) over an empty window is 0 (a value); the others are null (no data).
      return { ...state, ruleId: rule, value: state.aggregate === "count" ? (value ?? 0) : value };
    });
  });
}

type LoadedRule = Omit<RuleState, "ruleId" | "value"> & { rule: string };

/** The devices' rules with their owner and firing alert (no readings). */
async function rulesOf(tx: postgres.TransactionSql, deviceIds: string[]): Promise<LoadedRule[]> {
  const rows = await tx<
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
      firing_alert_id: string | null;
    }[]
  >`
    select r.id as rule_id, r.device_id, d.owner_id, r.metric, r.comparator, r.threshold::float8 as threshold,
           r.recovery_threshold::float8 as recovery_threshold, r.window_seconds, r.aggregate, r.no_data,
           a.id as firing_alert_id
    from alert_rules r
    join devices d on d.id = r.device_id
    left join alerts a on a.rule_id = r.id and a.status = 'firing'
    where r.device_id = any(${deviceIds}::uuid[])`;
  return rows.map((r) => ({
    rule: r.rule_id,
    deviceId: r.device_id,
    ownerId: r.owner_id,
    metric: r.metric,
    comparator: r.comparator,
    threshold: r.threshold,
    recoveryThreshold: r.recovery_threshold,
    windowSeconds: r.window_seconds,
    aggregate: r.aggregate,
    noData: r.no_data,
    firingAlertId: r.firing_alert_id,
  }));
}

/** The rules as arrays for `unnest`, with each window's start. */
function ruleArrays(rules: LoadedRule[], now: Date) {
  return {
    ids: rules.map((r) => r.rule),
    devices: rules.map((r) => r.deviceId),
    metrics: rules.map((r) => r.metric),
    starts: rules.map((r) => new Date(now.getTime() - r.windowSeconds * 1000).toISOString()),
    aggregates: rules.map((r) => r.aggregate),
  };
}

type WindowValue = { rule_id: string; value: number | null };

/**
 * Windows read from the readings alone: 'last' is one backward step along the key, the others one
 * pass over the window's key range (index-only where the partition's visibility map allows: the
 * key carries the value). Aggregated over numeric, as stored, and made float8 at the end, exactly
 * as tieredWindows computes.
 */
function rawWindows(tx: postgres.TransactionSql, rules: LoadedRule[], now: Date, from: Date) {
  const q = ruleArrays(rules, now);
  const at = now.toISOString();
  // `from` and `at` bound every read as well as each rule's own start: the planner keeps only the
  // partitions between them.
  const lower = from.toISOString();
  // The rule's window, [now - window, now] (its start included), within [from, at].
  const window = tx`
    s.device_id = q.device_id and s.metric = q.metric
    and s.recorded_at >= q.start and s.recorded_at >= ${lower}::timestamptz
    and s.recorded_at <= ${at}::timestamptz`;
  // Each aggregate in its own subquery: a rule computes only its own over its window's rows.
  const over = (aggregate: string) =>
    tx`(select ${tx.unsafe(aggregate)}::float8 from sensor_readings_all s where ${window})`;
  return tx<WindowValue[]>`
    select q.rule_id,
           case q.aggregate
             when 'last' then (
               select s.value::float8 from sensor_readings_all s where ${window}
               order by s.recorded_at desc limit 1)
             when 'avg' then ${over("avg(s.value)")}
             when 'min' then ${over("min(s.value)")}
             when 'max' then ${over("max(s.value)")}
             else ${over("count(*)")}
           end as value
    from unnest(${q.ids}::uuid[], ${q.devices}::uuid[], ${q.metrics}::text[], ${q.starts}::text[]::timestamptz[],
                ${q.aggregates}::text[]) as q(rule_id, device_id, metric, start, aggregate)`;
}

/**
 * Long windows of avg, min, max and count: the minute roll-ups of the whole minutes in the
 * window, the readings of the edge minutes, and the readings of whole minutes not rolled up yet
 * (recent, and late ones from the partial index), as charts read them (queries/rollups.ts), all
 * in the snapshot `cutoff` was read in. Equal to the raw computation (rawWindows) to the last bit.
 */
function tieredWindows(
  tx: postgres.TransactionSql,
  rules: LoadedRule[],
  now: Date,
  from: Date,
  cutoff: string,
) {
  const q = ruleArrays(rules, now);
  const at = now.toISOString();
  // [m0, m1): a window's whole minutes. m0 is the first minute starting at or after its start; m1,
  // the minute holding `now`, is the same for every rule.
  const m1 = new Date(Math.floor(now.getTime() / 60_000) * 60_000).toISOString();
  const m0 = rules.map((r) => {
    const start = now.getTime() - r.windowSeconds * 1000;
    return new Date(Math.ceil(start / 60_000) * 60_000).toISOString();
  });
  const lower = from.toISOString();
  const rollable = tx.unsafe(ROLLABLE);
  return tx<WindowValue[]>`
    select q.rule_id,
           case q.aggregate
             when 'avg' then (sum(p.sum) / nullif(sum(p.n), 0))::float8
             when 'min' then min(p.min)::float8
             when 'max' then max(p.max)::float8
             else coalesce(sum(p.n), 0)::float8
           end as value
    from unnest(${q.ids}::uuid[], ${q.devices}::uuid[], ${q.metrics}::text[], ${q.starts}::text[]::timestamptz[],
                ${m0}::text[]::timestamptz[], ${q.aggregates}::text[]) as q(rule_id, device_id, metric, start, m0, aggregate)
    left join lateral (
      select m.min, m.max, m.sum, m.count::bigint as n
      from reading_rollups_1m_all m
      where m.device_id = q.device_id and m.metric = q.metric
        and m.bucket_start >= q.m0 and m.bucket_start < ${m1}::timestamptz
        and m.bucket_start >= ${lower}::timestamptz
      union all
      -- The head: from the window's start to its first whole minute.
      select s.value, s.value, s.value, 1 from sensor_readings_all s
      where s.device_id = q.device_id and s.metric = q.metric
        and s.recorded_at >= q.start and s.recorded_at < q.m0 and s.recorded_at >= ${lower}::timestamptz
      union all
      -- The tail: the minute holding now, up to now.
      select s.value, s.value, s.value, 1 from sensor_readings_all s
      where s.device_id = q.device_id and s.metric = q.metric
        and s.recorded_at >= ${m1}::timestamptz and s.recorded_at <= ${at}::timestamptz
      union all
      -- Whole minutes not rolled up yet, recent (rollable after the cutoff: received less than a
      -- minute before it; on time means recorded at most 3 minutes before it).
      select s.value, s.value, s.value, 1 from sensor_readings_all s
      where s.device_id = q.device_id and s.metric = q.metric
        and s.recorded_at >= q.m0 and s.recorded_at < ${m1}::timestamptz
        and s.recorded_at >= greatest(${lower}::timestamptz, ${cutoff}::timestamptz - interval '3 minutes')
        and ${rollable} > ${cutoff}::timestamptz
      union all
      -- Whole minutes not rolled up yet, late: from the partial index of late arrivals.
      select s.value, s.value, s.value, 1 from sensor_readings_all s
      where s.device_id = q.device_id and s.metric = q.metric
        and s.received_at - s.recorded_at > interval '2 minutes'
        and s.received_at > ${cutoff}::timestamptz - interval '1 minute'
        and s.recorded_at >= q.m0 and s.recorded_at >= ${lower}::timestamptz
        and s.recorded_at < least(${m1}::timestamptz, ${cutoff}::timestamptz - interval '3 minutes')
        and ${rollable} > ${cutoff}::timestamptz
    ) p on true
    group by q.rule_id, q.aggregate`;
}

/**
 * Opens an alert for the rule at `now` with the state's value and window, unless one is firing,
 * and records `fired` once; undefined when nothing was opened.
 */
export function openAlert(
  db: Database,
  state: RuleState,
  now: Date,
): Promise<RecordedTransition | undefined> {
  return db.$client.begin(async (tx) => {
    const windowStart = new Date(now.getTime() - state.windowSeconds * 1000);
    const [alert] = await tx<{ id: string }[]>`
      insert into alerts (rule_id, device_id, status, triggered_at, value, window_start, window_end, snoozed_until)
      values (${state.ruleId}, ${state.deviceId}, 'firing', ${now.toISOString()}::timestamptz, ${state.value},
              ${windowStart.toISOString()}::timestamptz, ${now.toISOString()}::timestamptz,
              -- A snooze until a time covers the rule's next alerts too (a flapping rule stays quiet).
              (select max(p.snoozed_until) from alerts p
               where p.rule_id = ${state.ruleId} and p.snoozed_until > ${now.toISOString()}::timestamptz))
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
): Promise<RecordedTransition | undefined> {
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

/** A transition recorded, with the deliveries its notice wrote (none when held or dropped). */
export interface RecordedTransition extends AlertTransition {
  deliveries: DeliveryKey[];
}

/**
 * The transition's outbox event (once per alert and kind), its notice (sent to the owner's
 * channels, or held by a snooze or maintenance window: queries/notices.ts) and its NOTIFY, in the
 * caller's transaction.
 */
async function recordTransition(
  tx: postgres.TransactionSql,
  state: RuleState,
  alertId: string,
  kind: AlertTransition["kind"],
  now: Date,
): Promise<RecordedTransition | undefined> {
  // Written as held, then settled by its notice below in the same transaction.
  const [event] = await tx<{ id: string }[]>`
    insert into alert_events (alert_id, owner_id, kind, value, at, notice)
    values (${alertId}, ${state.ownerId}, ${kind}, ${state.value}, ${now.toISOString()}::timestamptz, 'held')
    on conflict (alert_id, kind) where kind in ('fired','resolved','acknowledged','escalated') do nothing
    returning id`;
  if (!event) return undefined;
  const deliveries = await noticeTransition(tx, { id: event.id, alertId, kind }, now);
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
  return { ...transition, deliveries };
}

/** Every device that has rules (what a sweep evaluates). */
export async function devicesWithRules(db: Database): Promise<string[]> {
  const rows = await db.$client<{ device_id: string }[]>`select distinct device_id from alert_rules`;
  return rows.map((r) => r.device_id);
}
