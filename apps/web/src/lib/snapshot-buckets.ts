// The bucket a shared chart is re-bucketed to: the finest step that keeps it within the
// snapshot's points (the stored tiers may then make it coarser: tiers.ts chartBucketSeconds).
import { SNAPSHOT_MAX_POINTS } from "@pulseboard/schema/community";
import { BUCKET_STEPS } from "@pulseboard/schema/tiers";

export function snapshotBucketSeconds(fromMs: number, toMs: number, maxPoints = SNAPSHOT_MAX_POINTS): number {
  const seconds = Math.max(1, (toMs - fromMs) / 1000);
  for (const step of BUCKET_STEPS) if (seconds / step <= maxPoints) return step;
  return Math.ceil(seconds / maxPoints / 86_400) * 86_400;
}
