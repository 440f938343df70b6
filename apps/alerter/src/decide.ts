// The alerting decision as a pure function: (rule, the window's aggregate, whether an alert is
// firing) -> open | resolve | nothing. Everything else (reading the window, writing the
// transition once) is I/O around it.

import type { AGGREGATES, COMPARATORS, NO_DATA_POLICIES } from "@pulseboard/schema/telemetry";

export type Comparator = (typeof COMPARATORS)[number];
export type Aggregate = (typeof AGGREGATES)[number];
export type NoDataPolicy = (typeof NO_DATA_POLICIES)[number];

export interface RuleForDecision {
  comparator: Comparator;
  threshold: number;
  /** Hysteresis: a firing alert resolves only once the aggregate is back past this value. */
  recoveryThreshold: number | null;
  aggregate: Aggregate;
  noData: NoDataPolicy;
}

export type Decision = "open" | "resolve" | "nothing";

export function compare(value: number, comparator: Comparator, threshold: number): boolean {
  switch (comparator) {
    case "gt":
      return value > threshold;
    case "gte":
      return value >= threshold;
    case "lt":
      return value < threshold;
    case "lte":
      return value <= threshold;
  }
}

/**
 * @param value the window's aggregate; null when the window holds no readings (a `count` rule
 *   always has a value: an empty window counts 0).
 * @param firing whether the rule has a firing alert now.
 */
export function decide(rule: RuleForDecision, value: number | null, firing: boolean): Decision {
  const observed = value ?? (rule.aggregate === "count" ? 0 : null);
  if (observed === null) {
    if (rule.noData === "fire") return firing ? "nothing" : "open";
    if (rule.noData === "resolve") return firing ? "resolve" : "nothing";
    return "nothing";
  }
  if (!firing) return compare(observed, rule.comparator, rule.threshold) ? "open" : "nothing";
  // Firing: it stays firing while the value is still past the recovery threshold (or, without
  // one, past the threshold itself), so a value hovering at the threshold does not flap.
  const holdAt = rule.recoveryThreshold ?? rule.threshold;
  return compare(observed, rule.comparator, holdAt) ? "nothing" : "resolve";
}
