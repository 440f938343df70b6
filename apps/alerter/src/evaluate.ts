// Evaluation: the rules of some devices as they stand now (queries/alert-evaluation.ts reads each
// with its window's aggregate), the pure `decide` on each, and the transitions it asks for, each
// written once with its outbox event and NOTIFY. Duplicate, concurrent and out-of-order requests
// converge: the window is always the one ending now, and the writes are idempotent.
import type { Logger } from "@pulseboard/runtime/logger";
import type { Database } from "@pulseboard/schema/client";
import type { AlertTransition } from "@pulseboard/schema/live";
import { loadRuleStates, openAlert, resolveAlert } from "@pulseboard/schema/queries/alert-evaluation";
import { decide } from "./decide";
import type { AlerterMetrics } from "./metrics";

/** A transition this alerter recorded; also what its NOTIFY carries. */
export type Transition = AlertTransition;

/** Evaluates every rule of the devices at `now`; returns the transitions this call made. */
export async function evaluateDevices(
  db: Database,
  deviceIds: string[],
  now = new Date(),
): Promise<Transition[]> {
  const states = await loadRuleStates(db, deviceIds, now);
  const transitions: Transition[] = [];
  for (const state of states) {
    const decision = decide(state, state.value, state.firingAlertId !== null);
    const made =
      decision === "open"
        ? await openAlert(db, state, now)
        : decision === "resolve"
          ? await resolveAlert(db, state, now)
          : undefined;
    if (made) transitions.push(made);
  }
  return transitions;
}

/** Counts and logs the transitions an evaluation made. */
export function reportTransitions(
  transitions: Transition[],
  { metrics, log }: { metrics: AlerterMetrics; log: Logger },
): void {
  for (const t of transitions) {
    metrics.transitions.inc({ kind: t.kind });
    log.info(
      { ruleId: t.ruleId, deviceId: t.deviceId, alertId: t.alertId, value: t.value },
      `alert ${t.kind}`,
    );
  }
}
