// The sweep (/v1/sweep, a QStash cron or the local timer): silent devices offline, every rule
// evaluated (but those of devices a message just had this alerter evaluate), closed minutes rolled
// up alongside (then a bounded share of deleted devices' rows purged), held notices whose snooze
// or maintenance window ended sent, unacknowledged critical alerts escalated, and the deliveries
// no queue chain owns any more enqueued again, so a crash (before the enqueue, or mid-attempt) or
// a lost message loses nothing. One sweep at a time across every alerter instance: each takes the
// `sweep` lease (queries/leases.ts) or skips.
import { randomUUID } from "node:crypto";
import type { Queue } from "@pulseboard/queue";
import type { Logger } from "@pulseboard/runtime/logger";
import { adoptOrphanedDeliveries } from "@pulseboard/schema/queries/alert-deliveries";
import { devicesWithRules } from "@pulseboard/schema/queries/alert-evaluation";
import { markDevicesOfflineOrOnlineBySilence } from "@pulseboard/schema/queries/device-liveness";
import { acquireLease, releaseLease, renewLease } from "@pulseboard/schema/queries/leases";
import {
  type DeliveryKey,
  escalateAlert,
  escalationCandidates,
  heldNotices,
  releaseNotice,
} from "@pulseboard/schema/queries/notices";
import { rollUpClosedDays, rollUpClosedMinutes } from "@pulseboard/schema/queries/rollups";
import type { AlerterContext } from "./context";
import { REDELIVERY_GRACE_MS } from "./deliveries";
import { evaluateInChunks, reportFailure, reportTransitions, transitionDeliveries } from "./evaluate";
import { purgeDeletedDevicesStep } from "./purge";

export const SWEEP_PATH = "/v1/sweep";

/** The sweep's lease: held this long past each renewal, renewed every third of it. */
export const SWEEP_LEASE = "sweep";
export const SWEEP_LEASE_MS = 60_000;

export interface SweepResult {
  transitions: number;
  redelivered: number;
  /** Held notices sent (or dropped) and alerts escalated: their deliveries. */
  notices?: number;
  /** Another sweep held the lease: this one did nothing. */
  skipped?: true;
}

export interface SweepOptions {
  /**
   * The time deliveries are judged at (the database's clock by default), and holds and
   * escalations (this process's clock by default); tests move it.
   */
  now?: Date;
  /** How late a pending delivery's queue message may be before it is taken as lost. */
  graceMs?: number;
}

/**
 * One sweep. Deliveries no queue chain owns (`isOrphaned` in ./deliveries.ts) are enqueued again;
 * a retry the queue has scheduled is left to it, however far off.
 */
export async function sweep(context: AlerterContext, options: SweepOptions = {}): Promise<SweepResult> {
  const { db, log, metrics } = context;
  const holder = randomUUID();
  if (!(await acquireLease(db, SWEEP_LEASE, holder, SWEEP_LEASE_MS))) {
    metrics.sweepsSkipped.inc();
    log.debug("sweep skipped: another sweep holds the lease");
    return { transitions: 0, redelivered: 0, skipped: true };
  }
  const renewal = setInterval(() => {
    renewLease(db, SWEEP_LEASE, holder, SWEEP_LEASE_MS)
      .then((held) => {
        if (!held) log.warn("sweep lease lost (expired and taken): another sweep may overlap this one");
      })
      .catch((err: unknown) => log.warn({ err }, "could not renew the sweep lease"));
  }, SWEEP_LEASE_MS / 3);
  try {
    return await sweepOnce(context, options);
  } finally {
    clearInterval(renewal);
    await releaseLease(db, SWEEP_LEASE, holder).catch((err: unknown) =>
      log.warn({ err }, "could not release the sweep lease; it expires by itself"),
    );
  }
}

async function sweepOnce(
  { db, log, metrics, deliveries, maintenance, recent }: AlerterContext,
  { now, graceMs = REDELIVERY_GRACE_MS }: SweepOptions,
): Promise<SweepResult> {
  // Partitions made ahead and dropped past retention, every few minutes, in the background.
  maintenance.kick();
  // Charts read stored one-minute rollups: each sweep adds the minutes that closed since the
  // last, alongside the rule evaluation (its own connection; it does not hold the rules up).
  // A failure is logged; the next sweep takes what this one left.
  const rollupLog = log.child({ module: "rollup" });
  const rollUp = (async () => {
    try {
      const began = performance.now();
      const rolled = {
        ...(await rollUpClosedMinutes(db)),
        ms: Math.round(performance.now() - began),
      };
      if (rolled.readings > 0) rollupLog.info(rolled, "readings rolled up");
      else rollupLog.debug(rolled, "nothing to roll up");
      // Then the minutes of closed days into hours (few rows but once a day; after the minutes,
      // so it takes what they just wrote).
      const hours = await rollUpClosedDays(db);
      if (hours.rows > 0) rollupLog.info(hours, "minutes rolled up to hours");
    } catch (err) {
      rollupLog.error({ err }, "roll-up failed; the rules were evaluated anyway");
    }
    // After the roll-up, alongside the rules too: a bounded share of deleted devices' rows.
    await purgeDeletedDevicesStep({ db, log, metrics });
  })();
  const ended = metrics.evaluationDuration.startTimer({ trigger: "sweep" });
  await markDevicesOfflineOrOnlineBySilence(db, new Date());
  const onFailure = reportFailure({ metrics, log: log.child({ module: "evaluate" }) });
  // Devices a message had this alerter evaluate in the last seconds are left out (their rules
  // were just judged on their newest readings; recent-evaluations.ts).
  const withRules = await devicesWithRules(db);
  const due = recent.dueForSweep(withRules, Date.now());
  if (due.length < withRules.length)
    log.debug(
      { evaluated: due.length, recent: withRules.length - due.length },
      "sweep: recently evaluated devices left out",
    );
  const transitions = await evaluateInChunks(db, due, onFailure);
  metrics.evaluations.inc({ trigger: "sweep" });
  ended();
  await rollUp;
  reportTransitions(transitions, { metrics, log: log.child({ module: "evaluate" }) });
  await deliveries.enqueue(transitionDeliveries(transitions), { kind: "transition" });
  const noticed = await settleNotices({ db, log }, now ?? new Date());
  await deliveries.enqueue(noticed, { kind: "transition" });
  const orphaned = await adoptOrphanedDeliveries(db, { now, graceMs });
  await deliveries.enqueue(orphaned, { kind: "sweep", at: new Date() });
  return { transitions: transitions.length, redelivered: orphaned.length, notices: noticed.length };
}

/**
 * Held notices looked at again (sent once their hold ended, or dropped), then unacknowledged
 * critical alerts escalated (queries/notices.ts). Each on its own: one that fails is logged and
 * the others go on.
 */
export async function settleNotices(
  { db, log }: Pick<AlerterContext, "db" | "log">,
  now: Date,
): Promise<DeliveryKey[]> {
  const noticeLog = log.child({ module: "notices" });
  const keys: DeliveryKey[] = [];
  for (const { eventId, alertId } of await heldNotices(db, now)) {
    try {
      keys.push(...(await releaseNotice(db, eventId, now)));
    } catch (err) {
      noticeLog.error(
        { err, eventId, alertId },
        "could not release a held notice; the next sweep tries again",
      );
    }
  }
  for (const alertId of await escalationCandidates(db, now)) {
    try {
      const escalated = await escalateAlert(db, alertId, now);
      if (escalated.length > 0) noticeLog.info({ alertId }, "alert escalated: not acknowledged in time");
      keys.push(...escalated);
    } catch (err) {
      noticeLog.error({ err, alertId }, "could not escalate an alert; the next sweep tries again");
    }
  }
  return keys;
}

/**
 * Without QStash: asks for a sweep every `intervalMs` through the local queue, so it arrives
 * signed at /v1/sweep exactly as the QStash schedule's call would. Returns the stop function.
 */
export function startLocalSweepTimer({
  queue,
  publicUrl,
  intervalMs,
  log,
}: {
  queue: Queue;
  publicUrl: string;
  intervalMs: number;
  log: Logger;
}): () => void {
  const timer = setInterval(() => {
    queue
      .publishJSON({ url: new URL(SWEEP_PATH, publicUrl).toString(), body: {}, retries: 0 })
      .catch((err: unknown) => log.warn({ err }, "could not enqueue the sweep"));
  }, intervalMs);
  return () => clearInterval(timer);
}
