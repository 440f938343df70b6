// What follows a commit, off the acknowledgement path and coalesced:
// - touched devices marked online with last_seen_at, at most once per device per interval;
// - a pg_notify hint for live charts (sent at commit, so fine through the pooler);
// - once per interval, evaluation messages (of at most 250 devices each) for the touched devices
//   that have rules on the touched metrics (which metrics have rules is remembered for a moment:
//   rule-metrics.ts), through the queue (QStash, or the local queue that signs like it).
// The statements are in packages/schema (markDevicesSeen, notifyReadings, ruleMetricsOf);
// the throttles are the pure decisions in throttles.ts.
import type { Logger } from "@pulseboard/runtime/logger";
import type { Database } from "@pulseboard/schema/client";
import { evaluationMessages } from "@pulseboard/schema/evaluation-messages";
import { markDevicesSeen } from "@pulseboard/schema/queries/devices";
import { notifyReadings } from "@pulseboard/schema/queries/live";
import { ruleMetricsOf } from "@pulseboard/schema/queries/rules";
import type { IngestMetrics } from "./metrics";
import { devicesToEvaluate, RuleMetricsCache } from "./rule-metrics";
import { dueForLastSeen, evaluationDelay, evaluationWindow, lastSeenCutoff } from "./throttles";
import type { ReadingRow } from "./writer";

/** The channel the web app LISTENs on for new readings. */
export { READINGS_CHANNEL } from "@pulseboard/schema/live";

/** NOTIFY payloads must stay under 8000 bytes. */
const MAX_NOTIFY_BYTES = 7000;

export interface EvaluationQueue {
  publishJSON(request: { url: string; body: unknown; deduplicationId?: string }): Promise<unknown>;
}

export interface AfterCommitOptions {
  db: Database;
  log: Logger;
  metrics: IngestMetrics;
  queue: EvaluationQueue;
  /** The alerter's evaluate endpoint. */
  evaluateUrl: string;
  /** Distinguishes this worker's messages in deduplication ids. */
  workerId: string;
  evaluationIntervalMs: number;
  lastSeenIntervalMs: number;
  /** How long which metrics of a device have rules is remembered (RULES_CACHE_MS). */
  rulesCacheMs: number;
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
  private readonly ruleMetrics: RuleMetricsCache;
  /**
   * Touched (device, metric) pairs answered from memory without a rule, and when that memory
   * ends: a rule added meanwhile would get no hint from their readings, so they are touched
   * again then (and asked afresh).
   */
  private rechecks = new Map<string, { metrics: Set<string>; due: number }>();
  private recheckTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: AfterCommitOptions) {
    this.ruleMetrics = new RuleMetricsCache({
      load: (deviceIds) => ruleMetricsOf(options.db, deviceIds),
      ttlMs: options.rulesCacheMs,
    });
  }

  /**
   * Throttle, not a fixed tick: the first touch after a quiet interval is sent at once (low
   * latency when traffic is sparse); touches within an interval of the last message wait for
   * its end and go together. Either way, at most one message per interval.
   */
  private scheduleEvaluation(): void {
    if (this.timer || this.closed) return;
    const wait = evaluationDelay(this.lastSentAt, Date.now(), this.options.evaluationIntervalMs);
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
    const { lastSeenIntervalMs, db } = this.options;
    const due = dueForLastSeen(metricsByDevice.keys(), this.lastSeenWritten, now, lastSeenIntervalMs);
    for (const id of due) this.lastSeenWritten.set(id, now);
    // Keep the map from growing without bound: forget devices quiet for a while.
    const cutoff = lastSeenCutoff(now, lastSeenIntervalMs);
    for (const [id, at] of this.lastSeenWritten) if (at < cutoff) this.lastSeenWritten.delete(id);
    const payloads = notifyPayloads(metricsByDevice, this.options.ownerOf);
    await Promise.all([
      due.length > 0
        ? markDevicesSeen(db, due).catch((err: unknown) => {
            // Not written: the next commit of these devices tries again instead of an interval later.
            for (const id of due) this.lastSeenWritten.delete(id);
            throw err;
          })
        : undefined,
      payloads.length > 0 ? notifyReadings(db, payloads) : undefined,
    ]);
  }

  /** Sends at most one evaluation message per interval for devices with rules on touched metrics. */
  private async enqueueEvaluations(): Promise<void> {
    if (this.touched.size === 0) return;
    const touched = this.touched;
    this.touched = new Map();
    const { log, queue } = this.options;
    try {
      const remembered = new Map<string, number>();
      const withRules = devicesToEvaluate(
        touched,
        await this.ruleMetrics.metricsOf(touched.keys(), Date.now(), remembered),
      );
      this.recheckLater(touched, withRules, remembered);
      if (withRules.length === 0) return;
      // Intervals are at least an interval apart, so each falls in its own window; a busy one
      // goes as several messages (never one the alerter would refuse for its size).
      const window = evaluationWindow(this.lastSentAt, this.options.evaluationIntervalMs);
      const messages = evaluationMessages(withRules.sort());
      for (const [i, body] of messages.entries()) {
        await queue.publishJSON({
          url: this.options.evaluateUrl,
          body,
          deduplicationId: `evaluate-${this.options.workerId}-${window}-${i}`,
        });
        // Sent: these are no longer owed if a later message of the interval fails.
        for (const id of body.deviceIds) touched.delete(id);
        this.options.metrics.evaluationsEnqueued.inc();
      }
    } catch (err) {
      // Put back what was not sent: the next interval tries again (the sweep catches anything
      // still missed).
      for (const [deviceId, set] of touched) for (const m of set) addTo(this.touched, deviceId, m);
      log.warn({ err }, "could not enqueue alert evaluation; retrying next interval");
    }
  }

  /** Remembers the touched devices answered from memory without a rule, to ask again later. */
  private recheckLater(
    touched: Map<string, Set<string>>,
    withRules: readonly string[],
    remembered: ReadonlyMap<string, number>,
  ): void {
    if (remembered.size === 0) return;
    const evaluated = new Set(withRules);
    for (const [deviceId, due] of remembered) {
      const metrics = touched.get(deviceId);
      if (!metrics || evaluated.has(deviceId)) continue;
      const pending = this.rechecks.get(deviceId);
      if (pending) {
        for (const m of metrics) pending.metrics.add(m);
        pending.due = Math.max(pending.due, due);
      } else this.rechecks.set(deviceId, { metrics, due });
    }
    this.scheduleRechecks();
  }

  private scheduleRechecks(): void {
    if (this.recheckTimer || this.closed || this.rechecks.size === 0) return;
    let next = Number.POSITIVE_INFINITY;
    for (const { due } of this.rechecks.values()) next = Math.min(next, due);
    this.recheckTimer = setTimeout(
      () => {
        this.recheckTimer = undefined;
        const now = Date.now();
        for (const [deviceId, { metrics, due }] of this.rechecks) {
          if (due > now) continue;
          this.rechecks.delete(deviceId);
          for (const m of metrics) addTo(this.touched, deviceId, m);
        }
        if (this.touched.size > 0) this.scheduleEvaluation();
        this.scheduleRechecks();
      },
      Math.max(0, next - Date.now()) + 1,
    );
  }

  /** Sends what is pending, then stops. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    clearTimeout(this.recheckTimer);
    this.recheckTimer = undefined;
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
