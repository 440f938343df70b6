// The day partitions readings need, kept ahead by the ingest: at boot and hourly it makes today's
// and the next days' (the alerter's maintenance does too: either alone is enough), and a flush
// that finds no partition for a reading's day (a late reading within retention, on a database that
// never had that day) makes it and tries once more.
import type { Logger } from "@pulseboard/runtime/logger";
import type { Database } from "@pulseboard/schema/client";
import { daysAhead, retentionStart } from "@pulseboard/schema/partitions";
import { ensurePartitions } from "@pulseboard/schema/queries/partitions";
import { MAX_FUTURE_SKEW_MS } from "@pulseboard/schema/telemetry";
import type { ReadingRow } from "./writer";

/**
 * The days a batch needs, clamped to what the ingest accepts (raw retention to the future skew):
 * a reading outside it was refused before it got here, so nothing outside is ever made.
 */
export function daysFor(
  rows: readonly ReadingRow[],
  now: Date,
  retentionDays: number,
): { from: Date; to: Date } | null {
  const earliest = retentionStart(now, retentionDays).getTime();
  const latest = now.getTime() + MAX_FUTURE_SKEW_MS;
  let from = Number.POSITIVE_INFINITY;
  let to = Number.NEGATIVE_INFINITY;
  for (const row of rows) {
    const t = row.recordedAt.getTime();
    if (t < earliest || t > latest) continue;
    from = Math.min(from, t);
    to = Math.max(to, t);
  }
  return from <= to ? { from: new Date(from), to: new Date(to) } : null;
}

export class PartitionKeeper {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Database,
    private readonly log: Logger,
    private readonly retentionDays: number,
  ) {}

  /** Makes today's and the next days' partitions now, then hourly. Never throws: logs. */
  start(): Promise<void> {
    this.timer = setInterval(() => void this.ahead(), 3_600_000);
    this.timer.unref();
    return this.ahead();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async ahead(): Promise<void> {
    const { from, to } = daysAhead(new Date());
    try {
      const made = await ensurePartitions(this.db, "sensor_readings", from, to);
      if (made.created.length > 0) this.log.info({ created: made.created }, "reading partitions made ahead");
      if (made.deferred.length > 0)
        this.log.warn({ deferred: made.deferred }, "reading partitions deferred: lock busy");
    } catch (err) {
      this.log.error({ err }, "could not make reading partitions ahead; retrying within the hour");
    }
  }

  /** For a flush that found no partition: makes its days' partitions. Throws when it cannot. */
  async forRows(rows: readonly ReadingRow[]): Promise<void> {
    const days = daysFor(rows, new Date(), this.retentionDays);
    if (!days) return;
    const made = await ensurePartitions(this.db, "sensor_readings", days.from, days.to);
    if (made.created.length > 0)
      this.log.info({ created: made.created }, "reading partitions made for a flush");
  }
}
