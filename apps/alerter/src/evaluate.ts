// Evaluation: the rules of some devices as they stand now (queries/alert-evaluation.ts reads each
// with its window's aggregate), the pure `decide` on each, and the transitions it asks for, each
// written once with its outbox event and NOTIFY. Duplicate, concurrent and out-of-order requests
// converge: the window is always the one ending now, and the writes are idempotent.
import type { Logger } from "@pulseboard/runtime/logger";
import type { Database } from "@pulseboard/schema/client";
import {
  loadRuleStates,
  openAlert,
  type RecordedTransition,
  resolveAlert,
} from "@pulseboard/schema/queries/alert-evaluation";
import { decide } from "./decide";
import type { DeliveryKey } from "./deliveries";
import { type EvaluationFailure, halves, isDataError } from "./isolation";
import type { AlerterMetrics } from "./metrics";

/** A transition this alerter recorded (its NOTIFY carries it without the deliveries). */
export type Transition = RecordedTransition;

/** Reports a device or rule whose evaluation failed and was skipped; by default, fails instead. */
export type OnEvaluationFailure = (failure: EvaluationFailure) => void;

const failHard: OnEvaluationFailure = ({ error }) => {
  throw error;
};

/**
 * Evaluates every rule of the devices at `now`; returns the transitions this call made. A device
 * whose readings make the evaluation fail (./isolation.ts), or a rule whose transition fails, is
 * handed to `onFailure` and skipped: the other devices and rules are evaluated all the same.
 */
export async function evaluateDevices(
  db: Database,
  deviceIds: string[],
  now = new Date(),
  onFailure: OnEvaluationFailure = failHard,
): Promise<Transition[]> {
  const transitions: Transition[] = [];
  for (const state of await loadStatesIsolated(db, deviceIds, now, onFailure)) {
    try {
      const decision = decide(state, state.value, state.firingAlertId !== null);
      const made =
        decision === "open"
          ? await openAlert(db, state, now)
          : decision === "resolve"
            ? await resolveAlert(db, state, now)
            : undefined;
      if (made) transitions.push(made);
    } catch (error) {
      if (!isDataError(error)) throw error;
      onFailure({ scope: "rule", id: state.ruleId, error });
    }
  }
  return transitions;
}

/** Devices per evaluation statement: each stays bounded (about a second's work or less). */
export const CHUNK_DEVICES = 250;
/**
 * Devices per chunk of a queue message. A chunk's transitions are written (and notified) when it
 * ends, so a message's devices fire as their chunk ends rather than when the whole message does;
 * the sweep, where nothing waits on one device, keeps CHUNK_DEVICES.
 */
export const MESSAGE_CHUNK_DEVICES = 25;
/** Chunks evaluated at once: the database uses two cores. */
const CONCURRENT_CHUNKS = 2;

/** `ids` in consecutive chunks of at most `size`. */
export function chunked<T>(ids: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < ids.length; i += size) chunks.push(ids.slice(i, i + size));
  return chunks;
}

/**
 * evaluateDevices over any number of devices: in chunks of `chunkDevices` (each at its own
 * `now`), CONCURRENT_CHUNKS at a time. A sweep's fleet and a large message alike.
 */
export async function evaluateInChunks(
  db: Database,
  deviceIds: readonly string[],
  onFailure: OnEvaluationFailure = failHard,
  chunkDevices = CHUNK_DEVICES,
): Promise<Transition[]> {
  const chunks = chunked(deviceIds, chunkDevices);
  const transitions: Transition[] = [];
  const worker = async () => {
    for (let chunk = chunks.shift(); chunk; chunk = chunks.shift())
      transitions.push(...(await evaluateDevices(db, chunk, new Date(), onFailure)));
  };
  await Promise.all(Array.from({ length: CONCURRENT_CHUNKS }, worker));
  return transitions;
}

/** The devices' rule states; on a data error, the devices in halves until the failing one is alone. */
async function loadStatesIsolated(
  db: Database,
  deviceIds: string[],
  now: Date,
  onFailure: OnEvaluationFailure,
): Promise<Awaited<ReturnType<typeof loadRuleStates>>> {
  try {
    return await loadRuleStates(db, deviceIds, now);
  } catch (error) {
    if (!isDataError(error)) throw error;
    const split = halves(deviceIds);
    if (!split) {
      onFailure({ scope: "device", id: deviceIds[0] ?? "", error });
      return [];
    }
    const [first, second] = split;
    return [
      ...(await loadStatesIsolated(db, first, now, onFailure)),
      ...(await loadStatesIsolated(db, second, now, onFailure)),
    ];
  }
}

/** An onFailure that logs the skipped device or rule (never its readings) and counts it. */
export function reportFailure({
  metrics,
  log,
}: {
  metrics: AlerterMetrics;
  log: Logger;
}): OnEvaluationFailure {
  return ({ scope, id, error }) => {
    metrics.evaluationFailures.inc({ scope });
    log.error(
      { [scope === "device" ? "deviceId" : "ruleId"]: id, err: error },
      `${scope} skipped: its evaluation failed; the others went on`,
    );
  };
}

/** The deliveries the transitions' notices wrote (none for a held or dropped notice). */
export function transitionDeliveries(transitions: Transition[]): DeliveryKey[] {
  return transitions.flatMap((t) => t.deliveries);
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
