// The settings page's webhook: the URL as it may be saved, and "send test". Without the page's
// session and env (actions.ts passes them), so tests run it against a real database and socket.
import { randomUUID } from "node:crypto";
import type { Logger } from "@pulseboard/runtime/logger";
import { postSignedWebhook } from "@pulseboard/runtime/webhook";
import { isAllowedWithoutLookup } from "@pulseboard/runtime/webhook-address";
import type { Database } from "@pulseboard/schema/client";
import { getNotificationSettings, takeWebhookTestSend } from "@pulseboard/schema/queries/notifications";
import { z } from "zod";

/** "Send test" presses per owner: at most this many... */
export const SEND_TEST_LIMIT = 5;
/** ...in any window this long (each press is a request to an address the owner chose). */
export const SEND_TEST_WINDOW_MS = 60_000;
const SEND_TEST_TIMEOUT_MS = 5000;

export const ADDRESS_NOT_ALLOWED =
  "That address is not allowed: webhooks go to public internet addresses only (a self-hosted server can allow its own network with WEBHOOK_ALLOW_PRIVATE=1).";

/**
 * The webhook URL field ("" turns webhooks off). An IP literal or localhost name that may not be
 * reached is refused here; a hostname is checked when sending, against what it resolves to then.
 */
export function webhookUrlField(allowPrivate: boolean) {
  return z
    .string()
    .trim()
    .max(2000, "The URL is too long.")
    .refine((v) => v === "" || /^https?:\/\//i.test(v), "Use an http:// or https:// URL.")
    .refine((v) => v === "" || URL.canParse(v), "That is not a valid URL.")
    .refine(
      (v) => v === "" || !URL.canParse(v) || isAllowedWithoutLookup(new URL(v), allowPrivate),
      ADDRESS_NOT_ALLOWED,
    );
}

export interface SendTestOptions {
  /** WEBHOOK_ALLOW_PRIVATE. */
  allowPrivate: boolean;
  log: Logger;
  now?: Date;
}

/** Sends the owner a signed test event, within the rate limit; the answer is for the owner. */
export async function sendTestWebhook(
  db: Database,
  ownerId: string,
  options: SendTestOptions,
): Promise<{ ok: boolean; message: string }> {
  const settings = await getNotificationSettings(db, ownerId);
  if (!settings?.webhookUrl) return { ok: false, message: "Save a webhook URL first." };
  const now = options.now ?? new Date();
  const slot = await takeWebhookTestSend(db, ownerId, now, SEND_TEST_LIMIT, SEND_TEST_WINDOW_MS);
  if (!slot.allowed) {
    return {
      ok: false,
      message: `Too many tests: at most ${SEND_TEST_LIMIT} a minute. Try again in ${slot.retryAfterSeconds} s.`,
    };
  }
  const id = randomUUID();
  const body = JSON.stringify({
    id,
    type: "test",
    at: now.toISOString(),
    message: "A test event from Pulseboard: your webhook is reachable and the signature verifies.",
  });
  const result = await postSignedWebhook(
    settings.webhookUrl,
    settings.webhookSecret,
    { id, body },
    { timeoutMs: SEND_TEST_TIMEOUT_MS, allowPrivate: options.allowPrivate },
  );
  if (result.ok) return { ok: true, message: `Delivered: the receiver answered HTTP ${result.status}.` };
  // The detail (resolved address, socket error) is the operator's; the owner reads the generic words.
  options.log.warn({ ownerId, origin: result.origin, reason: result.detail }, "webhook test failed");
  return { ok: false, message: `Not delivered: ${result.error}.` };
}
