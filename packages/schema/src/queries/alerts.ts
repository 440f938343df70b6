// Alert queries for the web API and pages, scoped by owner in the query itself (through the
// alert's device).
import { and, desc, eq, gte, lt, type SQL } from "drizzle-orm";
import type { Database } from "../client";
import { afterCursor, keyAt, keysetPage, PAGE_DEFAULT_LIMIT } from "../keyset";
import {
  type AGGREGATES,
  alertRules,
  alerts,
  type COMPARATORS,
  devices,
  type SEVERITIES,
} from "../schema/telemetry";

export interface AlertView {
  id: string;
  status: "firing" | "resolved";
  triggeredAt: Date;
  resolvedAt: Date | null;
  value: number | null;
  resolvedValue: number | null;
  windowStart: Date | null;
  windowEnd: Date | null;
  deviceId: string;
  deviceName: string;
  ruleId: string;
  /** The rule's name, when the owner gave it one. */
  ruleName: string | null;
  metric: string;
  comparator: (typeof COMPARATORS)[number];
  threshold: number;
  aggregate: (typeof AGGREGATES)[number];
  windowSeconds: number;
  severity: (typeof SEVERITIES)[number];
  acknowledgedAt: Date | null;
  /** A snooze's end; with `snoozedUntilResolved`, until it resolves. */
  snoozedUntil: Date | null;
  snoozedUntilResolved: boolean;
}

export interface AlertFilter {
  status?: "firing" | "resolved" | undefined;
  deviceId?: string | undefined;
  metric?: string | undefined;
  /** Fired at or after this. */
  from?: Date | undefined;
  /** Fired before this. */
  to?: Date | undefined;
  limit?: number | undefined;
}

const view = {
  id: alerts.id,
  status: alerts.status,
  triggeredAt: alerts.triggeredAt,
  resolvedAt: alerts.resolvedAt,
  value: alerts.value,
  resolvedValue: alerts.resolvedValue,
  windowStart: alerts.windowStart,
  windowEnd: alerts.windowEnd,
  deviceId: devices.id,
  deviceName: devices.name,
  ruleId: alertRules.id,
  ruleName: alertRules.name,
  // The condition the alert fired on (the rule may have been edited since).
  metric: alerts.metric,
  comparator: alerts.comparator,
  threshold: alerts.threshold,
  aggregate: alerts.aggregate,
  severity: alerts.severity,
  acknowledgedAt: alerts.acknowledgedAt,
  snoozedUntil: alerts.snoozedUntil,
  snoozedUntilResolved: alerts.snoozedUntilResolved,
  windowSeconds: alerts.windowSeconds,
};

function ownedAlerts(db: Database, where: SQL | undefined) {
  return db
    .select(view)
    .from(alerts)
    .innerJoin(devices, eq(devices.id, alerts.deviceId))
    .innerJoin(alertRules, eq(alertRules.id, alerts.ruleId))
    .where(where);
}

function filtered(ownerId: string, filter: AlertFilter): SQL | undefined {
  return and(
    eq(devices.ownerId, ownerId),
    filter.status ? eq(alerts.status, filter.status) : undefined,
    filter.deviceId ? eq(alerts.deviceId, filter.deviceId) : undefined,
    filter.metric ? eq(alerts.metric, filter.metric) : undefined,
    filter.from ? gte(alerts.triggeredAt, filter.from) : undefined,
    filter.to ? lt(alerts.triggeredAt, filter.to) : undefined,
  );
}

/** The owner's alerts, newest first, optionally filtered: the first `limit` (at most 1000). */
export function listAlerts(db: Database, ownerId: string, filter: AlertFilter = {}): Promise<AlertView[]> {
  return ownedAlerts(db, filtered(ownerId, filter))
    .orderBy(desc(alerts.triggeredAt), desc(alerts.id))
    .limit(Math.min(filter.limit ?? 200, 1000));
}

/**
 * A page of the owner's alerts, newest first (keyset.ts): the page after `cursor`, and the cursor
 * of the page after it (null on the last). A cursor this listing did not write is InvalidError.
 */
export async function listAlertsPage(
  db: Database,
  ownerId: string,
  filter: AlertFilter & { cursor?: string | undefined },
): Promise<{ rows: AlertView[]; next: string | null }> {
  const limit = filter.limit ?? PAGE_DEFAULT_LIMIT;
  const rows = await db
    .select({ ...view, keyAt: keyAt(alerts.triggeredAt) })
    .from(alerts)
    .innerJoin(devices, eq(devices.id, alerts.deviceId))
    .innerJoin(alertRules, eq(alertRules.id, alerts.ruleId))
    .where(and(filtered(ownerId, filter), afterCursor(filter.cursor, alerts.triggeredAt, alerts.id)))
    .orderBy(desc(alerts.triggeredAt), desc(alerts.id))
    .limit(limit + 1);
  return keysetPage(rows, limit);
}

/** One of the owner's alerts; undefined for anyone else's. */
export async function getAlert(
  db: Database,
  ownerId: string,
  alertId: string,
): Promise<AlertView | undefined> {
  const [row] = await ownedAlerts(db, and(eq(alerts.id, alertId), eq(devices.ownerId, ownerId)));
  return row;
}
