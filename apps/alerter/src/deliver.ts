// One attempt at delivering an event's notice to one of its owner's channels: the delivery row
// claimed with a lease, the notice sent as the channel's kind wants it (a webhook in the Standard
// Webhooks format, an e-mail, a Slack-compatible message), the outcome recorded on the row. A
// failed attempt throws RetryableDeliveryError so the queue retries it with backoff, and the row
// says when that retry is due; after the last attempt it is `failed`. What cannot be sent at all
// (an unconfirmed address, no mail server) is `skipped`, with why. The row's last error, which
// the owner sees, is generic; the detail goes to the log.
import type { Logger } from "@pulseboard/runtime/logger";
import { MAIL_NO_ANSWER, type Mailer } from "@pulseboard/runtime/mail";
import { noticeWebhookHeaders, postJson } from "@pulseboard/runtime/webhook";
import type { Database } from "@pulseboard/schema/client";
import {
  type ClaimedAttempt,
  claimDelivery,
  type DeliveryKey,
  type EventForDelivery,
  markDeliveryDelivered,
  markDeliverySkipped,
  recordFailedDeliveryAttempt,
} from "@pulseboard/schema/queries/alert-deliveries";
import { afterFailedAttempt, leaseMs } from "./deliveries";
import { emailMessage, slackMessage, webhookPayload } from "./notice-text";

export type DeliveryOutcome = "delivered" | "retry" | "failed" | "skipped" | "not_pending";

/** This attempt failed and the queue should try again (answered with a 5xx). */
export class RetryableDeliveryError extends Error {
  override name = "RetryableDeliveryError";
}

export interface DeliveryOptions {
  maxAttempts: number;
  timeoutMs: number;
  /** The unit of the queue's retry backoff (QStash's: 1 s). */
  retryBaseMs: number;
  /** How often the queue had retried the message that brought this attempt (Upstash-Retried). */
  retried: number;
  /** WEBHOOK_ALLOW_PRIVATE: applies to every URL channel. */
  allowPrivate: boolean;
  /** The dashboard's public URL, for the link to the alert. */
  appUrl: string;
  /** SMTP; undefined when no mail server is configured. */
  mailer: Mailer | undefined;
  /** Where a failed attempt's detail goes (the delivery's last error, which the owner sees, is generic). */
  log: Logger;
}

type SendResult = { ok: true } | { ok: false; error: string; detail: string } | { skip: string };

function withDeadline<T extends SendResult>(send: Promise<T>, ms: number): Promise<T | SendResult> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<SendResult>((resolve) => {
    timer = setTimeout(
      () => resolve({ ok: false, error: MAIL_NO_ANSWER, detail: `no answer within ${ms} ms` }),
      ms,
    );
  });
  return Promise.race([send, late]).finally(() => clearTimeout(timer));
}

async function send(event: EventForDelivery, options: DeliveryOptions): Promise<SendResult> {
  const { channel } = event;
  const post = { timeoutMs: options.timeoutMs, allowPrivate: options.allowPrivate };
  switch (channel.kind) {
    case "webhook": {
      if (!channel.url || channel.secrets.length === 0) return { skip: "the channel has no URL" };
      const body = JSON.stringify(webhookPayload(event, options.appUrl));
      const headers = noticeWebhookHeaders({
        deliveryId: event.deliveryId,
        eventId: event.id,
        timestamp: Math.floor(Date.now() / 1000),
        body,
        secrets: channel.secrets,
        legacySecret: channel.legacySecret ?? channel.secrets[0] ?? "",
      });
      return postJson(channel.url, { headers, body }, post);
    }
    case "slack": {
      if (!channel.url) return { skip: "the channel has no URL" };
      return postJson(
        channel.url,
        { headers: {}, body: JSON.stringify(slackMessage(event, options.appUrl)) },
        post,
      );
    }
    case "email": {
      if (!channel.address) return { skip: "the account has no e-mail address" };
      if (!channel.verified) return { skip: "the address is not confirmed" };
      if (!options.mailer) return { skip: "e-mail is not configured on this server" };
      const message = emailMessage(event, options.appUrl);
      // Bounded like a webhook's POST, so the attempt ends within its lease (a mail the server
      // takes after that may arrive twice: at least once, like a webhook after a crash).
      return withDeadline(
        options.mailer.send({
          to: channel.address,
          ...message,
          // Mail clients thread a fired notice with its resolved one.
          headers: { "X-Pulseboard-Alert": event.alert.id },
        }),
        options.timeoutMs,
      );
    }
  }
}

/**
 * One attempt at a delivery: claims it first, so concurrent attempts do not both send; a delivery
 * not there to claim (done, or leased by an attempt in progress) is `not_pending`.
 */
export async function deliverEvent(
  db: Database,
  key: DeliveryKey,
  options: DeliveryOptions,
): Promise<Exclude<DeliveryOutcome, "retry">> {
  const event = await claimDelivery(db, key, leaseMs(options.timeoutMs));
  if (!event) return "not_pending";
  const claim: ClaimedAttempt = { ...key, attempts: event.attempts };
  const result = await send(event, options);
  if ("skip" in result) {
    await markDeliverySkipped(db, claim, result.skip);
    return "skipped";
  }
  if (result.ok) {
    await markDeliveryDelivered(db, claim);
    return "delivered";
  }
  options.log.warn(
    {
      eventId: key.eventId,
      channelId: key.channelId,
      kind: event.channel.kind,
      // A URL's origin only: its path and query may hold the receiver's secrets.
      ...("origin" in result ? { origin: result.origin } : {}),
      reason: result.detail,
    },
    "delivery attempt failed",
  );
  const next = afterFailedAttempt({ ...options, attempts: event.attempts, error: result.error });
  await recordFailedDeliveryAttempt(
    db,
    claim,
    result.error,
    next.outcome === "failed" ? null : next.retryInMs,
  );
  if (next.outcome === "failed") return "failed";
  throw new RetryableDeliveryError(next.reason);
}
