// Hands recorded deliveries to the queue (retried there), and at boot takes over those whose
// queue chain the restart lost.
import type { Queue } from "@pulseboard/queue";
import type { Logger } from "@pulseboard/runtime/logger";
import type { Database } from "@pulseboard/schema/client";
import { adoptOrphanedDeliveries } from "@pulseboard/schema/queries/alert-deliveries";
import { type DeliveryKey, type DeliveryRound, deliveryMessage, REDELIVERY_GRACE_MS } from "./deliveries";

export interface DeliveryQueue {
  /** Enqueues each delivery; a failure is logged (the outbox sweep will catch it). */
  enqueue(deliveries: DeliveryKey[], round: DeliveryRound): Promise<void>;
  /**
   * Enqueues the deliveries no queue chain owns after a restart: with the local queue (its
   * messages lived in memory) every pending one; with QStash (which kept its chains) what the
   * sweep would take. The database may not be up yet: it keeps trying in the background rather
   * than refuse to boot.
   */
  redeliverAtBoot(): Promise<void>;
  close(): void;
}

export function createDeliveryQueue({
  db,
  queue,
  log,
  publicUrl,
  maxAttempts,
  chainsSurviveRestart,
}: {
  db: Database;
  queue: Queue;
  log: Logger;
  publicUrl: string;
  maxAttempts: number;
  chainsSurviveRestart: boolean;
}): DeliveryQueue {
  const webhookLog = log.child({ module: "webhook" });
  let bootRetry: NodeJS.Timeout | undefined;

  async function enqueue(deliveries: DeliveryKey[], round: DeliveryRound): Promise<void> {
    await Promise.all(
      deliveries.map((delivery) =>
        queue
          .publishJSON(deliveryMessage(publicUrl, delivery, round, maxAttempts))
          .catch((err: unknown) =>
            webhookLog.warn(
              { err, eventId: delivery.eventId, channelId: delivery.channelId },
              "could not enqueue delivery; the outbox sweep will",
            ),
          ),
      ),
    );
  }

  async function redeliverAtBoot(): Promise<void> {
    try {
      const adopted = await adoptOrphanedDeliveries(db, {
        graceMs: REDELIVERY_GRACE_MS,
        anyPending: !chainsSurviveRestart,
      });
      if (adopted.length > 0)
        log.info({ deliveries: adopted.length }, "re-delivering undelivered alert events");
      await enqueue(adopted, { kind: "boot", at: new Date() });
    } catch (err) {
      log.warn({ err }, "could not look for undelivered alert events yet; retrying");
      bootRetry = setTimeout(() => void redeliverAtBoot(), 5000);
    }
  }

  return { enqueue, redeliverAtBoot, close: () => clearTimeout(bootRetry) };
}
