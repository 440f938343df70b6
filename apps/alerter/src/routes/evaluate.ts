// POST /v1/evaluate {"deviceIds": [...]} (the ingest, once per interval per worker, in messages of
// at most 250 devices; up to 5,000 accepted: @pulseboard/schema/evaluation-messages): evaluates
// those devices' rules now, in chunks; 200 {"transitions": [{kind, alertId, ruleId}]}. Devices
// evaluated without a failure are left out of the sweeps of the next seconds (recent-evaluations.ts).
import { evaluationMessage } from "@pulseboard/schema/evaluation-messages";
import type { AlerterContext } from "../context";
import {
  evaluateInChunks,
  MESSAGE_CHUNK_DEVICES,
  reportFailure,
  reportTransitions,
  transitionDeliveries,
} from "../evaluate";
import { type SignedRoute, signedRoute } from "./route";

export function evaluateRoute({ db, log, metrics, deliveries, recent }: AlerterContext): SignedRoute {
  const evalLog = log.child({ module: "evaluate" });
  const report = reportFailure({ metrics, log: evalLog });
  return signedRoute(evaluationMessage, async ({ deviceIds }) => {
    const ended = metrics.evaluationDuration.startTimer({ trigger: "evaluate" });
    const began = Date.now();
    let failed = false;
    // Any size the contract allows, in small chunks: each device fires as its chunk ends.
    const transitions = await evaluateInChunks(
      db,
      deviceIds,
      (failure) => {
        failed = true;
        report(failure);
      },
      MESSAGE_CHUNK_DEVICES,
    );
    // A failure names a device or a rule: the sweep takes the whole message again.
    if (!failed) recent.record(deviceIds, began);
    ended();
    metrics.evaluations.inc({ trigger: "evaluate" });
    reportTransitions(transitions, { metrics, log: evalLog });
    await deliveries.enqueue(transitionDeliveries(transitions), { kind: "transition" });
    return { transitions: transitions.map((t) => ({ kind: t.kind, alertId: t.alertId, ruleId: t.ruleId })) };
  });
}
