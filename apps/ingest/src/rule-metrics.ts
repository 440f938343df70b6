// Which metrics of a device have rules, remembered for a moment: the ingest asks once per
// evaluation interval which touched devices need evaluating, and asking the database about every
// touched (device, metric) pair 20 times a second was, at saturation, an eighth of what the
// machine gave the ingest and PostgreSQL together (the ingest bench: 0.47 of the ceiling against
// 0.54 with the lookups a second apart). Each device's answer is kept RULES_CACHE_MS (1 s): a
// rule added since is seen once the device's answer is asked again: readings answered from
// memory without a rule are asked about again when that memory ends (AfterCommit), so their hint
// is at most about that much late, never left to the alerter's sweep; a rule removed costs an
// evaluation message that finds nothing.

/** The devices of `touched` (device → metrics) with a rule on one of their touched metrics. */
export function devicesToEvaluate(
  touched: ReadonlyMap<string, ReadonlySet<string>>,
  ruleMetrics: ReadonlyMap<string, ReadonlySet<string>>,
): string[] {
  const out: string[] = [];
  for (const [deviceId, metrics] of touched) {
    const withRules = ruleMetrics.get(deviceId);
    if (!withRules) continue;
    for (const metric of metrics) {
      if (withRules.has(metric)) {
        out.push(deviceId);
        break;
      }
    }
  }
  return out;
}

const NONE: ReadonlySet<string> = new Set();

export interface RuleMetricsOptions {
  /** Loads the (device, metric) pairs of rules of these devices. */
  load: (deviceIds: readonly string[]) => Promise<{ deviceId: string; metric: string }[]>;
  ttlMs: number;
  /** Devices per query (a larger lookup goes as several). */
  maxBatch?: number;
  /** Devices remembered at most (all forgotten past it). */
  maxEntries?: number;
}

export class RuleMetricsCache {
  private readonly entries = new Map<string, { metrics: ReadonlySet<string>; expires: number }>();

  constructor(private readonly options: RuleMetricsOptions) {}

  /**
   * Each device's metrics with rules (an empty set: none), loading what is not remembered.
   * `remembered` receives, for each answer taken from memory rather than loaded now, when that
   * memory ends.
   */
  async metricsOf(
    deviceIds: Iterable<string>,
    now = Date.now(),
    remembered?: Map<string, number>,
  ): Promise<Map<string, ReadonlySet<string>>> {
    const out = new Map<string, ReadonlySet<string>>();
    const missing: string[] = [];
    for (const id of deviceIds) {
      const entry = this.entries.get(id);
      if (entry && entry.expires > now) {
        out.set(id, entry.metrics);
        remembered?.set(id, entry.expires);
      } else missing.push(id);
    }
    const { load, ttlMs, maxBatch = 1000, maxEntries = 100_000 } = this.options;
    for (let i = 0; i < missing.length; i += maxBatch) {
      const batch = missing.slice(i, i + maxBatch);
      const found = new Map<string, Set<string>>();
      for (const { deviceId, metric } of await load(batch)) {
        const set = found.get(deviceId);
        if (set) set.add(metric);
        else found.set(deviceId, new Set([metric]));
      }
      if (this.entries.size + batch.length > maxEntries) this.entries.clear();
      for (const id of batch) {
        const metrics = found.get(id) ?? NONE;
        this.entries.set(id, { metrics, expires: now + ttlMs });
        out.set(id, metrics);
      }
    }
    return out;
  }
}
