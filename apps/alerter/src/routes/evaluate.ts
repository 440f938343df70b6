// POST /v1/evaluate {"deviceIds": [...]} (the ingest, at most once per interval per worker):
// evaluates those devices' rules now; 200 {"transitions": [{kind, alertId, ruleId}]}.
import { z } from "zod";
import type { AlerterContext } from "../context";
import { evaluateDevices, reportFailure, reportTransitions, transitionDeliveries } from "../evaluate";
import { type SignedRoute, signedRoute } from "./route";

export const evaluateBody = z.strictObject({ deviceIds: z.array(z.uuid()).min(1).max(1000) });

export function evaluateRoute({ db, log, metrics, deliveries }: AlerterContext): SignedRoute {
  const evalLog = log.child({ module: "evaluate" });
  const onFailure = reportFailure({ metrics, log: evalLog });
  return signedRoute(evaluateBody, async ({ deviceIds }) => {
    const ended = metrics.evaluationDuration.startTimer({ trigger: "evaluate" });
    const transitions = await evaluateDevices(db, deviceIds, new Date(), onFailure);
    ended();
    metrics.evaluations.inc({ trigger: "evaluate" });
    reportTransitions(transitions, { metrics, log: evalLog });
    await deliveries.enqueue(transitionDeliveries(transitions), { kind: "transition" });
    return { transitions: transitions.map((t) => ({ kind: t.kind, alertId: t.alertId, ruleId: t.ruleId })) };
  });
}
