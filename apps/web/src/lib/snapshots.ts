import "server-only";
import {
  type ChartSnapshot,
  type ShareBody,
  SNAPSHOT_MAX_POINTS,
  snapshot as snapshotSchema,
  type WorkoutSnapshot,
} from "@pulseboard/schema/community";
import { InvalidError, NotFoundError } from "@pulseboard/schema/errors";
import { toDisplayWeight } from "@pulseboard/schema/fitness-math";
import { getDevice } from "@pulseboard/schema/queries/devices";
import { getPreferences } from "@pulseboard/schema/queries/fitness-preferences";
import { listMetricDisplay } from "@pulseboard/schema/queries/metric-display";
import { rollupReadings } from "@pulseboard/schema/queries/rollups";
import { chartBucketSeconds } from "@pulseboard/schema/tiers";
import { env } from "@/env";
import { db, replicaDb } from "./db";
import { personalRecords } from "./records";
import { snapshotBucketSeconds } from "./snapshot-buckets";
import { resolveDisplay } from "./units";
import { workoutWithHeartRate } from "./workouts";

// Frozen copies of what an owner shares into the community, read from their own data (every
// read scoped by owner): a chart's range re-bucketed to a few hundred points, or a workout's sets,
// records and heart-rate summary.

type ChartSource = Extract<ShareBody["source"], { kind: "chart" }>;

export async function chartSnapshotOf(ownerId: string, source: ChartSource): Promise<ChartSnapshot> {
  const device = await getDevice(db, ownerId, source.deviceId);
  if (!device) throw new NotFoundError("device not found", { field: "deviceId" });
  const from = new Date(source.from);
  const to = new Date(source.to);
  if (from >= to) throw new InvalidError("from must be before to", { field: "from" });
  // One bucket less than the limit: a range that does not start on a bucket boundary spans one more.
  const step = snapshotBucketSeconds(from.getTime(), to.getTime(), SNAPSHOT_MAX_POINTS - 1);
  const bucketSeconds = chartBucketSeconds(from, to, step, {
    now: new Date(),
    rawRetentionDays: env.RAW_RETENTION_DAYS,
    minuteRetentionDays: env.MINUTE_RETENTION_DAYS,
  });
  const [points, display] = await Promise.all([
    rollupReadings(
      replicaDb,
      { ownerId, deviceId: device.id, metric: source.metric, from, to, bucketSeconds },
      { statementTimeoutMs: env.CHART_STATEMENT_TIMEOUT_MS },
    ),
    listMetricDisplay(db, ownerId),
  ]);
  const shown = resolveDisplay(
    source.metric,
    display.find((d) => d.metric === source.metric),
  );
  return {
    kind: "chart",
    deviceName: device.name,
    metric: source.metric,
    label: shown.label,
    unit: shown.unit,
    from: from.toISOString(),
    to: to.toISOString(),
    bucketSeconds,
    points: points.map((p) => ({ t: p.t, min: p.min, avg: p.avg, max: p.max, count: p.count })),
  };
}

export async function workoutSnapshotOf(ownerId: string, workoutId: string): Promise<WorkoutSnapshot> {
  const prefs = await getPreferences(db, ownerId);
  const workout = await workoutWithHeartRate(db, ownerId, workoutId, prefs);
  if (!workout) throw new NotFoundError("workout not found", { field: "workoutId" });
  const { bySession } = await personalRecords(db, ownerId, prefs, {
    exerciseIds: [...new Set(workout.sets.map((s) => s.exerciseId))],
    until: workout.performedAt,
  });
  const unit = prefs.weightUnit;
  const names = new Map(workout.sets.map((s) => [s.exerciseId, s.exerciseName]));
  const weight = (kg: number | null) => (kg === null ? null : toDisplayWeight(kg, unit));
  const hr = workout.heartRate;
  return {
    kind: "workout",
    title: workout.planName ?? "Workout",
    performedAt: workout.performedAt.toISOString(),
    durationSeconds: workout.endedAt
      ? Math.round((workout.endedAt.getTime() - workout.performedAt.getTime()) / 1000)
      : null,
    weightUnit: unit,
    volume: weight(workout.volumeKg),
    sets: workout.sets.map((s) => ({
      exercise: s.exerciseName,
      setNumber: s.setNumber,
      reps: s.reps,
      weight: weight(s.weightKg),
    })),
    records: (bySession.get(workoutId) ?? []).map((r) => ({
      exercise: names.get(r.exerciseId) ?? "",
      what: `${r.kind === "e1rm" ? "e1RM" : `${r.reps}-rep max`} ${toDisplayWeight(r.valueKg, unit)} ${unit}`,
    })),
    heartRate: hr
      ? {
          readings: hr.readings,
          avg: hr.avg,
          max: hr.max,
          zones: hr.zones.map((z) => ({ zone: z.zone, name: z.name, seconds: Math.round(z.seconds) })),
        }
      : null,
  };
}

/** A snapshot as it will be stored, checked against the contract readers draw it by. */
export function checkedSnapshot<S extends ChartSnapshot | WorkoutSnapshot>(built: S): S {
  const result = snapshotSchema.safeParse(built);
  if (result.success) return built;
  const issue = result.error.issues[0];
  throw new InvalidError(
    `this cannot be shared: ${issue?.path.join(".") ?? ""} ${issue?.message ?? ""} (a workout of at most 300 sets, a chart of at most ${SNAPSHOT_MAX_POINTS} points)`.trim(),
    { field: "source" },
  );
}
