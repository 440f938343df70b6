// Refusals of known devices, kept for their owners (the device page shows why data is missing):
// counted here per device, hour and reason, and added to `device_rejections` with one upsert per
// interval — never a write per message, and never on the readings' path. A failed write keeps its
// counts for the next interval. Refusals that name no device (unknown keys) never come here.
import type { Logger } from "@pulseboard/runtime/logger";
import type { Database } from "@pulseboard/schema/client";
import {
  pruneRejections,
  type RejectionCount,
  recordRejections,
} from "@pulseboard/schema/queries/rejections";
import type { DeviceRejectionReason } from "@pulseboard/schema/telemetry";

const HOUR_MS = 3_600_000;

export interface RejectionStoreOptions {
  db: Database;
  log: Logger;
  /** Distinct (device, hour, reason) counts held at most while writes fail; further ones are dropped and logged. */
  maxPending?: number;
  /** How often hours past the retention are deleted. */
  pruneIntervalMs?: number;
}

export class RejectionStore {
  private pending = new Map<string, RejectionCount>();
  private dropped = 0;
  private writing: Promise<void> | undefined;
  private lastPrunedAt = 0;
  /** Upserts attempted (observable for tests). */
  writes = 0;

  constructor(private readonly options: RejectionStoreOptions) {}

  /** Counts one refused message of a known device. */
  add(deviceId: string, reason: DeviceRejectionReason, detail: string, at = new Date()): void {
    const hour = new Date(Math.floor(at.getTime() / HOUR_MS) * HOUR_MS);
    const key = `${deviceId} ${hour.getTime()} ${reason}`;
    const entry = this.pending.get(key);
    if (entry) {
      entry.count += 1;
      if (at >= entry.lastAt) {
        entry.lastAt = at;
        entry.lastDetail = detail;
      }
      return;
    }
    if (this.pending.size >= (this.options.maxPending ?? 100_000)) {
      this.dropped += 1;
      return;
    }
    this.pending.set(key, { deviceId, hour, reason, count: 1, lastAt: at, lastDetail: detail });
  }

  /**
   * Writes what was counted since the last write, in one statement; prunes old hours now and then.
   * One write at a time: while one is still running, this waits for it and writes nothing more.
   * Never rejects.
   */
  flush(): Promise<void> {
    if (this.writing) return this.writing;
    const batch = [...this.pending.values()];
    this.pending = new Map();
    this.writing = this.write(batch).finally(() => {
      this.writing = undefined;
    });
    return this.writing;
  }

  /** Waits for a running write, then writes what is left. */
  async close(): Promise<void> {
    await this.writing;
    await this.flush();
  }

  private async write(batch: RejectionCount[]): Promise<void> {
    const { db, log } = this.options;
    if (this.dropped > 0) {
      log.warn({ dropped: this.dropped }, "rejection counts dropped: too many kept while writes failed");
      this.dropped = 0;
    }
    if (batch.length > 0) {
      try {
        this.writes += 1;
        await recordRejections(db, batch);
      } catch (err) {
        for (const count of batch) this.putBack(count);
        log.warn({ err, counts: batch.length }, "could not record rejections; retrying next interval");
        return;
      }
    }
    const now = Date.now();
    if (now - this.lastPrunedAt >= (this.options.pruneIntervalMs ?? HOUR_MS)) {
      this.lastPrunedAt = now;
      try {
        await pruneRejections(db);
      } catch (err) {
        this.lastPrunedAt = 0;
        log.warn({ err }, "could not prune old rejections; retrying next interval");
      }
    }
  }

  /** A count that was not written goes back, merged with what arrived meanwhile. */
  private putBack(count: RejectionCount): void {
    const key = `${count.deviceId} ${count.hour.getTime()} ${count.reason}`;
    const entry = this.pending.get(key);
    if (!entry) {
      this.pending.set(key, count);
      return;
    }
    entry.count += count.count;
    if (count.lastAt > entry.lastAt) {
      entry.lastAt = count.lastAt;
      entry.lastDetail = count.lastDetail;
    }
  }
}
