// How an owner wants their metrics shown (display name, unit), per metric name: scoped by owner
// in every statement.
import { eq, sql } from "drizzle-orm";
import type { Database } from "../client";
import { type MetricDisplayBody, type MetricDisplaySetting, metricDisplay } from "../schema/telemetry";

/** The owner's settings, every metric they set something for. */
export function listMetricDisplay(db: Database, ownerId: string): Promise<MetricDisplaySetting[]> {
  return db
    .select()
    .from(metricDisplay)
    .where(eq(metricDisplay.ownerId, ownerId))
    .orderBy(metricDisplay.metric);
}

/** Sets a metric's display name and unit; both null puts the defaults back (the row goes). */
export async function setMetricDisplay(
  db: Database,
  ownerId: string,
  body: MetricDisplayBody,
): Promise<MetricDisplaySetting | null> {
  if (body.displayName === null && body.unit === null) {
    await db.$client`delete from metric_display where owner_id = ${ownerId} and metric = ${body.metric}`;
    return null;
  }
  const [row] = await db
    .insert(metricDisplay)
    .values({ ownerId, metric: body.metric, displayName: body.displayName, unit: body.unit })
    .onConflictDoUpdate({
      target: [metricDisplay.ownerId, metricDisplay.metric],
      set: { displayName: body.displayName, unit: body.unit, updatedAt: sql`now()` },
    })
    .returning();
  return row ?? null;
}
