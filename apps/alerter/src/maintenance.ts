// Partition upkeep, started by the sweep (at most every MAINTENANCE_INTERVAL_MS, never holding a
// sweep up): reading partitions made ahead (the ingest makes them too: either alone is enough),
// and raw readings past RAW_RETENTION_DAYS dropped a whole day at a time once rolled up
// (DETACH … CONCURRENTLY on the direct endpoint, then DROP: no lock that stops ingest or reads);
// the minute roll-ups' month partitions likewise (queries/rollup-maintenance.ts); and each closed
// partition's indexes rebuilt packed once (REINDEX … CONCURRENTLY, one partition of each table a
// run: queries/partitions.ts compactClosedPartitions). And at every sweep, VACUUM of the reading
// partitions that took rows since their last one (today's, mostly), so that rule windows and
// charts' raw tails read the key alone (index-only) up to the last sweep's rows.
import type { Logger } from "@pulseboard/runtime/logger";
import type { Database, SqlClient } from "@pulseboard/schema/client";
import { daysAhead, rawDropBefore } from "@pulseboard/schema/partitions";
import {
  compactClosedPartitions,
  dropPartitionsBefore,
  ensurePartitions,
  rolledUpTo,
  vacuumWithInserts,
} from "@pulseboard/schema/queries/partitions";
import { maintainMinuteRollups } from "@pulseboard/schema/queries/rollup-maintenance";
import { ROLLUP_1M } from "@pulseboard/schema/queries/rollups";

export const MAINTENANCE_INTERVAL_MS = 5 * 60_000;

/** Whether a sweep at `now` starts a run, the last having started at `lastStarted` (ms, monotonic). */
export function maintenanceDue(lastStarted: number, now: number): boolean {
  return now - lastStarted >= MAINTENANCE_INTERVAL_MS;
}

export interface MaintenanceResult {
  created: string[];
  dropped: string[];
  /** Closed partitions whose indexes were rebuilt packed. */
  compacted: string[];
  /** Left for the next run: a lock was not granted in time. */
  deferred: string[];
}

export interface MaintenanceOptions {
  db: Database;
  /** The direct endpoint (DETACH … CONCURRENTLY cannot run in a transaction); without it nothing is dropped. */
  direct: SqlClient | undefined;
  log: Logger;
  rawRetentionDays: number;
  minuteRetentionDays: number;
}

export class Maintenance {
  private running: Promise<MaintenanceResult | undefined> | undefined;
  private lastStarted = Number.NEGATIVE_INFINITY;
  private vacuuming: Promise<string[]> | undefined;

  constructor(private readonly options: MaintenanceOptions) {}

  /**
   * Vacuums the new readings (unless the last call's VACUUM still runs), and starts a run in the
   * background when none ran for MAINTENANCE_INTERVAL_MS.
   */
  kick(): void {
    void this.vacuumNewReadings();
    if (this.running || !maintenanceDue(this.lastStarted, performance.now())) return;
    void this.run();
  }

  /**
   * VACUUM (direct endpoint) of every reading partition that took rows since its last one; the
   * partitions vacuumed, or none while a call is under way. Logs and swallows failures.
   */
  vacuumNewReadings(): Promise<string[]> {
    const { db, direct, log } = this.options;
    if (!direct) return Promise.resolve([]);
    const began = performance.now();
    this.vacuuming ??= vacuumWithInserts(db.$client, direct, {
      parents: ["sensor_readings"],
      minInserts: 1,
    })
      .then((vacuumed) => {
        // With its duration: a VACUUM competes with evaluation for the database's CPU.
        if (vacuumed.length > 0)
          log.info({ vacuumed, ms: Math.round(performance.now() - began) }, "new readings vacuumed");
        return vacuumed;
      })
      .catch((err: unknown) => {
        log.warn({ err }, "VACUUM of new readings failed; the next sweep retries");
        return [];
      })
      .finally(() => {
        this.vacuuming = undefined;
      });
    return this.vacuuming;
  }

  /** One run now (or the one under way); logs and swallows failures: the next run retries. */
  run(now = new Date()): Promise<MaintenanceResult | undefined> {
    this.running ??= (async () => {
      this.lastStarted = performance.now();
      try {
        return await this.maintain(now);
      } catch (err) {
        this.options.log.error({ err }, "partition maintenance failed; the next sweep retries");
        return undefined;
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  /** Waits for a run under way (shutdown). */
  async idle(): Promise<void> {
    await Promise.all([this.running, this.vacuuming]);
  }

  private async maintain(now: Date): Promise<MaintenanceResult> {
    const { db, direct, log, rawRetentionDays, minuteRetentionDays } = this.options;
    const ahead = daysAhead(now);
    const made = await ensurePartitions(db, "sensor_readings", ahead.from, ahead.to);
    const result: MaintenanceResult = {
      created: made.created,
      dropped: [],
      compacted: [],
      deferred: made.deferred,
    };
    const before = direct ? rawDropBefore(now, await rolledUpTo(db, ROLLUP_1M), rawRetentionDays) : null;
    if (direct && before) {
      const started = performance.now();
      const gone = await dropPartitionsBefore(direct, "sensor_readings", before);
      result.dropped.push(...gone.dropped);
      result.deferred.push(...gone.deferred);
      if (gone.dropped.length > 0) {
        const ms = Math.round(performance.now() - started);
        log.info({ dropped: gone.dropped, ms }, "raw readings past retention dropped");
      }
    }
    // The minute roll-ups' months: made ahead, dropped past MINUTE_RETENTION_DAYS once the hourly
    // tier holds them, vacuumed for index-only chart reads (queries/rollup-maintenance.ts).
    const minutes = await maintainMinuteRollups(db, direct, { now, retentionDays: minuteRetentionDays });
    result.created.push(...minutes.created);
    result.dropped.push(...minutes.dropped);
    result.deferred.push(...minutes.deferred);
    if (minutes.dropped.length > 0 || minutes.legacy.moved > 0 || minutes.vacuumed.length > 0)
      log.info(minutes, "minute roll-ups maintained");
    // Rebuilds wait for every older transaction of the database: not in a run that already found
    // a lock busy (a long transaction is about); the next run takes them up.
    if (direct && result.deferred.length === 0) {
      for (const table of ["sensor_readings", "reading_rollups_1m"] as const) {
        const packed = await compactClosedPartitions(db, direct, table, now, { lockTimeoutMs: 10_000 });
        result.compacted.push(...packed.compacted.map((c) => c.partition));
        result.deferred.push(...packed.deferred);
        for (const c of packed.compacted) log.info(c, "closed partition's indexes rebuilt packed");
      }
    }
    if (result.created.length > 0) log.info({ created: result.created }, "reading partitions made ahead");
    if (result.deferred.length > 0)
      log.warn({ deferred: result.deferred }, "partition work deferred: lock busy");
    return result;
  }
}
