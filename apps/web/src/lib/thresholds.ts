// The thresholds a device page draws on each metric's chart, from the device's rules.

/**
 * Each metric's rule thresholds, in rule order. A Map, not an object: metric names are the
 * device's own (`__proto__`, `constructor` and `toString` are valid ones), and on a plain object
 * they would read Object.prototype's members.
 */
export function thresholdsByMetric(
  rules: readonly { metric: string; threshold: number }[],
): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const r of rules) out.set(r.metric, [...(out.get(r.metric) ?? []), r.threshold]);
  return out;
}
