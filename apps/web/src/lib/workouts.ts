import "server-only";
import type { Database } from "@pulseboard/schema/client";
import type { PreferencesBody } from "@pulseboard/schema/fitness";
import { heartRateZones, maxHeartRate } from "@pulseboard/schema/fitness-math";
import { getPreferences } from "@pulseboard/schema/queries/fitness-preferences";
import { heartRateSummary } from "@pulseboard/schema/queries/heart-rate";
import { getWorkout } from "@pulseboard/schema/queries/workouts";
import { replicaDb } from "./db";

/** Minutes of heart rate charted before and after a session without an end time. */
const DEFAULT_SESSION_MINUTES = 60;

/**
 * A workout with its sets and, when it names a device, the heart-rate summary of its window. The
 * workout comes from `db` (its owner has just logged it, perhaps); the summary reads readings,
 * from the read replica when one is configured.
 */
export async function workoutWithHeartRate(
  db: Database,
  ownerId: string,
  workoutId: string,
  prefs?: PreferencesBody,
) {
  const workout = await getWorkout(db, ownerId, workoutId);
  if (!workout) return undefined;
  const from = workout.performedAt;
  const to = workout.endedAt ?? new Date(from.getTime() + DEFAULT_SESSION_MINUTES * 60_000);
  let heartRate = null;
  if (workout.deviceId) {
    const maxHr = maxHeartRate(prefs ?? (await getPreferences(db, ownerId)));
    const zones = heartRateZones(maxHr);
    const summary = await heartRateSummary(replicaDb, {
      ownerId,
      deviceId: workout.deviceId,
      metric: workout.heartRateMetric,
      from,
      to,
      zoneMins: zones.map((z) => z.minBpm),
    });
    heartRate = {
      ...summary,
      from: from.toISOString(),
      to: to.toISOString(),
      maxHeartRate: maxHr,
      zones: zones.map((z, i) => ({ ...z, seconds: summary.secondsInZone[i] ?? 0 })),
    };
  }
  return { ...workout, heartRate };
}
