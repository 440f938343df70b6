// A rule's state in words, as the device page shows it.

export type RuleState = "firing" | "ok" | "no data";

export interface RuleStateView {
  state: RuleState;
  /** Why, when it is not plain: "never reported", "nothing in the last 5 min". */
  detail: string | null;
}

/**
 * `firing` while an alert of the rule is open; otherwise `no data` when the rule's window holds
 * no reading of its metric (the device never reported it, or not lately), else `ok`.
 */
export function ruleState(
  rule: { metric: string; windowSeconds: number },
  options: {
    firing: boolean;
    /** The metric's latest raw reading (raw readings are kept RAW_RETENTION_DAYS). */
    latestAt: Date | string | null | undefined;
    /** With no raw reading: whether the device reported the metric before (roll-ups hold it). */
    reported?: boolean;
    now?: number;
  },
): RuleStateView {
  if (options.firing) return { state: "firing", detail: null };
  if (!options.latestAt)
    return {
      state: "no data",
      detail: options.reported
        ? `no ${rule.metric} reading for weeks`
        : `the device never reported ${rule.metric}`,
    };
  const age = (options.now ?? Date.now()) - new Date(options.latestAt).getTime();
  if (age > rule.windowSeconds * 1000)
    return { state: "no data", detail: `no ${rule.metric} reading within its window` };
  return { state: "ok", detail: null };
}

/** The warning for a rule on a metric its device never reported (most often a typo). */
export function neverReportedWarning(metric: string): string {
  return `This device has never reported "${metric}": the rule will show "no data" until it does. Check the metric's spelling.`;
}
