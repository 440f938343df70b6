// Alert rule queries for the web API, scoped by owner in the query itself: a rule belongs to
// whoever owns its device, so every statement joins or filters through `devices.owner_id`.
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { textArrayLiteral } from "../array-literal";
import type { Database } from "../client";
import { NotFoundError } from "../errors";
import { type AlertRule, alertRules, type CreateRuleBody, devices } from "../schema/telemetry";

/** The device's rules, oldest first; NotFoundError when the device is not the owner's. */
export async function listRules(db: Database, ownerId: string, deviceId: string): Promise<AlertRule[]> {
  const rows = await db
    .select({ device: devices.id, rule: alertRules })
    .from(devices)
    .leftJoin(alertRules, eq(alertRules.deviceId, devices.id))
    .where(and(eq(devices.id, deviceId), eq(devices.ownerId, ownerId)))
    .orderBy(asc(alertRules.createdAt), asc(alertRules.id));
  if (rows.length === 0) throw new NotFoundError("device not found", { field: "deviceId" });
  return rows.flatMap((r) => (r.rule ? [r.rule] : []));
}

/** Creates a rule on the owner's device; NotFoundError when the device is not theirs. */
export async function createRule(
  db: Database,
  ownerId: string,
  deviceId: string,
  body: CreateRuleBody,
): Promise<AlertRule> {
  // insert ... select from the owner's device: the ownership check and the insert are one statement.
  const [row] = await db
    .insert(alertRules)
    .select(
      db
        .select({
          id: sql`gen_random_uuid()`.as("id"),
          deviceId: devices.id,
          metric: sql`${body.metric}`.as("metric"),
          name: sql`${body.name ?? null}::text`.as("name"),
          comparator: sql`${body.comparator}`.as("comparator"),
          threshold: sql`${body.threshold}::numeric`.as("threshold"),
          windowSeconds: sql`${body.windowSeconds}::int`.as("window_seconds"),
          aggregate: sql`${body.aggregate}`.as("aggregate"),
          recoveryThreshold: sql`${body.recoveryThreshold ?? null}::numeric`.as("recovery_threshold"),
          noData: sql`${body.noData}`.as("no_data"),
          severity: sql`${body.severity}`.as("severity"),
          createdAt: sql`now()`.as("created_at"),
        })
        .from(devices)
        .where(and(eq(devices.id, deviceId), eq(devices.ownerId, ownerId))),
    )
    .returning();
  if (!row) throw new NotFoundError("device not found", { field: "deviceId" });
  return row;
}

/**
 * Replaces a rule's definition (every field, as created); NotFoundError when it is not the
 * owner's. Its alerts stay: an open one is judged by the new definition at the next evaluation
 * (it resolves then if the new condition no longer holds).
 */
export async function updateRule(
  db: Database,
  ownerId: string,
  ruleId: string,
  body: CreateRuleBody,
): Promise<AlertRule> {
  const owned = db.select({ id: devices.id }).from(devices).where(eq(devices.ownerId, ownerId));
  const [row] = await db
    .update(alertRules)
    .set({
      name: body.name ?? null,
      metric: body.metric,
      comparator: body.comparator,
      threshold: body.threshold,
      windowSeconds: body.windowSeconds,
      aggregate: body.aggregate,
      recoveryThreshold: body.recoveryThreshold ?? null,
      noData: body.noData,
      severity: body.severity,
    })
    .where(and(eq(alertRules.id, ruleId), inArray(alertRules.deviceId, owned)))
    .returning();
  if (!row) throw new NotFoundError("rule not found", { field: "ruleId" });
  return row;
}

/**
 * Whether the owner's device ever reported this metric (in its raw readings or its minute or
 * hourly roll-ups: what the stored tiers still hold). A rule on a metric it never reported is allowed (the device
 * may start later) but is most often a typo, which the app warns about.
 */
export async function deviceReportedMetric(
  db: Database,
  ownerId: string,
  deviceId: string,
  metric: string,
): Promise<boolean> {
  const [row] = await db.$client<{ reported: boolean }[]>`
    select exists (select 1 from sensor_readings_all r where r.device_id = d.id and r.metric = ${metric})
        or exists (select 1 from reading_rollups_1m_all m where m.device_id = d.id and m.metric = ${metric})
        or exists (select 1 from reading_rollups_1h h where h.device_id = d.id and h.metric = ${metric}) as reported
    from devices d where d.id = ${deviceId} and d.owner_id = ${ownerId}`;
  return row?.reported ?? false;
}

/** Deletes a rule of one of the owner's devices (its alerts go with it); false if not theirs. */
export async function deleteRule(db: Database, ownerId: string, ruleId: string): Promise<boolean> {
  const owned = db.select({ id: devices.id }).from(devices).where(eq(devices.ownerId, ownerId));
  const deleted = await db
    .delete(alertRules)
    .where(and(eq(alertRules.id, ruleId), inArray(alertRules.deviceId, owned)))
    .returning({ id: alertRules.id });
  return deleted.length > 0;
}

/**
 * The ingest, for evaluation messages: the metrics each of these devices has a rule on (devices
 * without rules are absent). Not scoped by owner: the devices were identified by their keys.
 */
export async function ruleMetricsOf(
  db: Database,
  deviceIds: readonly string[],
): Promise<{ deviceId: string; metric: string }[]> {
  return db.$client<{ deviceId: string; metric: string }[]>`
    select distinct device_id as "deviceId", metric from alert_rules
    where device_id = any(${textArrayLiteral(deviceIds)}::uuid[])`;
}
