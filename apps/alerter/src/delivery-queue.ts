// Hands recorded events to the queue for webhook delivery (retried there), and finds what the
// outbox still holds undelivered at boot.
import type { Queue } from "@pulseboard/queue";
import type { Logger } from "@pulseboard/runtime/logger";
import type { Database } from "@pulseboard/schema/client";
import { undeliveredEventIds } from "@pulseboard/schema/queries/alert-events";
import { type DeliveryRound, deliveryMessage } from "./deliveries";

export interface DeliveryQueue {
  /** Enqueues each event's delivery; a failure is logged (the outbox sweep will catch it). */
  enqueue(eventIds: string[], round: DeliveryRound): Promise<void>;
  /**
   * Enqueues every undelivered event (the local queue kept them in memory before a restart). The
   * database may not be up yet: it keeps trying in the background rather than refuse to boot.
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
}: {
  db: Database;
  queue: Queue;
  log: Logger;
  publicUrl: string;
  maxAttempts: number;
}): DeliveryQueue {
  const webhookLog = log.child({ module: "webhook" });
  let bootRetry: NodeJS.Timeout | undefined;

  async function enqueue(eventIds: string[], round: DeliveryRound): Promise<void> {
    await Promise.all(
      eventIds.map((eventId) =>
        queue
          .publishJSON(deliveryMessage(publicUrl, eventId, round, maxAttempts))
          .catch((err: unknown) =>
            webhookLog.warn({ err, eventId }, "could not enqueue delivery; the outbox sweep will"),
          ),
      ),
    );
  }

  async function redeliverAtBoot(): Promise<void> {
    try {
      const pending = await undeliveredEventIds(db, 0);
      if (pending.length > 0) log.info({ events: pending.length }, "re-delivering undelivered alert events");
      await enqueue(pending, { kind: "boot", at: new Date() });
    } catch (err) {
      log.warn({ err }, "could not look for undelivered alert events yet; retrying");
      bootRetry = setTimeout(() => void redeliverAtBoot(), 5000);
    }
  }

  return { enqueue, redeliverAtBoot, close: () => clearTimeout(bootRetry) };
}
