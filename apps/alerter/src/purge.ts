// Each sweep's share of the background purge of deleted devices' rows (readings, roll-ups):
// purgeDeletedDevices (packages/schema/src/queries/device-purge.ts) with a bounded number of rows,
// its figures logged and counted. Never throws: a failure is logged, and the next sweep resumes
// from the queue.
import type { Logger } from "@pulseboard/runtime/logger";
import type { Database } from "@pulseboard/schema/client";
import { type PurgeOptions, purgeDeletedDevices } from "@pulseboard/schema/queries/device-purge";
import type { AlerterMetrics } from "./metrics";

export async function purgeDeletedDevicesStep(
  { db, log, metrics }: { db: Database; log: Logger; metrics: AlerterMetrics },
  options: PurgeOptions = {},
): Promise<void> {
  const purgeLog = log.child({ module: "purge" });
  try {
    const began = performance.now();
    // Its defaults: 100,000 rows a sweep at most (PURGE_DEFAULTS, measured by `pnpm bench`).
    const result = await purgeDeletedDevices(db, options);
    const ms = Math.round(performance.now() - began);
    metrics.purgedRows.inc(result.rows);
    metrics.purgedDevices.inc(result.finished.length);
    metrics.purgeFailures.inc(result.failed.length);
    metrics.purgeQueue.set(result.queued);
    for (const { deviceId, error } of result.failed)
      purgeLog.warn({ err: error, deviceId }, "purge of a deleted device failed; the next sweep tries again");
    const figures = { rows: result.rows, finished: result.finished.length, queued: result.queued, ms };
    if (result.rows > 0 || result.finished.length > 0) purgeLog.info(figures, "deleted devices purged");
    else purgeLog.debug(figures, "nothing to purge");
  } catch (err) {
    purgeLog.error({ err }, "purge failed; the next sweep resumes it");
  }
}
