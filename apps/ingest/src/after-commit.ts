// What follows a commit, off the acknowledgement path and coalesced:
// - touched devices marked online with last_seen_at, at most once per device per interval;
// - a pg_notify hint for live charts (sent at commit, so fine through the pooler);
// - at most one evaluation message per interval for the touched devices that have rules on the touched
//   metrics, through the queue (QStash, or the local queue that signs like it).
import type { Logger } from "@pulseboard/runtime/logger";
import type { SqlClient } from "@pulseboard/schema/client";
import type { IngestMetrics } from "./metrics";
import type { ReadingRow } from "./writer";

/** The channel the web app LISTENs on for new readings. */
export { READINGS_CHANNEL } from "@pulseboard/schema/live";

import { READINGS_CHANNEL } from "@pulseboard/schema/live";

/** NOTIFY payloads must stay under 8000 bytes. */
const MAX_NOTIFY_BYTES = 7000;

export interface EvaluationQueue {
  publishJSON(request: { url: string; body: unknown; deduplicationId?: string }): Promise<unknown>;
}

export interface AfterCommitOptions {
  sql: SqlClient;
  log: Logger;
  metrics: IngestMetrics;
  queue: EvaluationQueue;
  /** The alerter's evaluate endpoint. */
  evaluateUrl: string;
  /** Distinguishes this worker's messages in deduplication ids. */
  workerId: string;
  evaluationIntervalMs: number;
  lastSeenIntervalMs: number;
  /** The owner of each device, for routing live hints to the right dashboard. */
  ownerOf: (deviceId: string) => string | undefined;
}

export class AfterCommit {
  private lastSeenWritten = new Map<string, number>();
  private touched = new Map<string, Set<string>>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private lastSentAt = 0;
  private closed = false;

  constructor(private readonly options: AfterCommitOptions) {}

  /**
   * Throttle, not a fixed tick: the first touch after a quiet interval is sent at once (low
   * latency when traffic is sparse); touches within an interval of the last message wait for
   * its end and go together. Either way, at most one message per interval.
   */
  private scheduleEvaluation(): void {
    if (this.timer || this.closed) return;
    const wait = Math.max(0, this.lastSentAt + this.options.evaluationIntervalMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.lastSentAt = Date.now();
      this.running = this.enqueueEvaluations().finally(() => {
        if (this.touched.size > 0) this.scheduleEvaluation();
      });
    }, wait);
  }

  /** Called by the writer after each commit. */
  committed(rows: ReadingRow[]): void {
    const metricsByDevice = new Map<string, Set<string>>();
    for (const row of rows) {
      addTo(metricsByDevice, row.deviceId, row.metric);
      addTo(this.touched, row.deviceId, row.metric);
    }
    this.scheduleEvaluation();
    void this.markSeenAndNotify(metricsByDevice).catch((err: unknown) => {
      this.options.log.warn({ err }, "last-seen update or live hint failed");
    });
  }

  private async markSeenAndNotify(metricsByDevice: Map<string, Set<string>>): Promise<void> {
    const now = Date.now();
    const due = [...metricsByDevice.keys()].filter(
      (id) => now - (this.lastSeenWritten.get(id) ?? 0) >= this.options.lastSeenIntervalMs,
    );
    for (const id of due) this.lastSeenWritten.set(id, now);
    // Keep the map from growing without bound: forget devices quiet for a while.
    const cutoff = now - 10 * this.options.lastSeenIntervalMs;
    for (const [id, at] of this.lastSeenWritten) if (at < cutoff) this.lastSeenWritten.delete(id);
    const payloads = notifyPayloads(metricsByDevice, this.options.ownerOf);
    const { sql } = this.options;
    await Promise.all([
      due.length > 0
        ? sql`update devices set status = 'online', last_seen_at = now() where id = any(${due}::uuid[])`.catch(
            (err: unknown) => {
              // Not written: the next commit of these devices tries again instead of an interval later.
              for (const id of due) this.lastSeenWritten.delete(id);
              throw err;
            },
          )
        : undefined,
      payloads.length > 0
        ? sql`select pg_notify(${READINGS_CHANNEL}, p) from unnest(${payloads}::text[]) as p`
        : undefined,
    ]);
  }

  /** Sends at most one evaluation message per interval for devices with rules on touched metrics. */
  private async enqueueEvaluations(): Promise<void> {
    if (this.touched.size === 0) return;
    const touched = this.touched;
    this.touched = new Map();
    const deviceIds: string[] = [];
    const metrics: string[] = [];
    for (const [deviceId, set] of touched) {
      for (const metric of set) {
        deviceIds.push(deviceId);
        metrics.push(metric);
      }
    }
    const { sql, log, queue } = this.options;
    try {
      const rows = await sql<{ device_id: string }[]>`
        select distinct r.device_id from alert_rules r
        join unnest(${deviceIds}::uuid[], ${metrics}::text[]) as t(device_id, metric)
          on r.device_id = t.device_id and r.metric = t.metric`;
      if (rows.length === 0) return;
      const ids = rows.map((r) => r.device_id).sort();
      // Messages are at least an interval apart, so each falls in its own window.
      const window = Math.floor(this.lastSentAt / this.options.evaluationIntervalMs);
      await queue.publishJSON({
        url: this.options.evaluateUrl,
        body: { deviceIds: ids },
        deduplicationId: `evaluate-${this.options.workerId}-${window}`,
      });
      this.options.metrics.evaluationsEnqueued.inc();
    } catch (err) {
      // Put them back: the next interval tries again (the sweep catches anything still missed).
      for (const [deviceId, set] of touched) for (const m of set) addTo(this.touched, deviceId, m);
      log.warn({ err }, "could not enqueue alert evaluation; retrying next interval");
    }
  }

  /** Sends what is pending, then stops. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
    this.lastSentAt = Math.max(Date.now(), this.lastSentAt + this.options.evaluationIntervalMs);
    await this.enqueueEvaluations();
  }
}

function addTo(map: Map<string, Set<string>>, key: string, value: string): void {
  const set = map.get(key);
  if (set) set.add(value);
  else map.set(key, new Set([value]));
}

/** Live hints: `{o: owner, d: device, m: metrics}` items, packed into payloads under the NOTIFY limit. */
export function notifyPayloads(
  metricsByDevice: Map<string, Set<string>>,
  ownerOf: (deviceId: string) => string | undefined,
): string[] {
  const payloads: string[] = [];
  let items: string[] = [];
  let size = 2;
  for (const [deviceId, metrics] of metricsByDevice) {
    const owner = ownerOf(deviceId);
    if (!owner) continue;
    const item = JSON.stringify({ o: owner, d: deviceId, m: [...metrics] });
    if (items.length > 0 && size + item.length + 1 > MAX_NOTIFY_BYTES) {
      payloads.push(`[${items.join(",")}]`);
      items = [];
      size = 2;
    }
    items.push(item);
    size += item.length + 1;
  }
  if (items.length > 0) payloads.push(`[${items.join(",")}]`);
  return payloads;
}
