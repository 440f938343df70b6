// Signed webhook POSTs, shared by the alerter (alert transitions) and the web app ("send test"):
// JSON body, HMAC-SHA256 over `<unix seconds>.<raw body>` with the owner's secret.
import { createHmac } from "node:crypto";
import { errorMessage } from "./errors";

export const SIGNATURE_HEADER = "x-pulseboard-signature";
export const TIMESTAMP_HEADER = "x-pulseboard-timestamp";
export const EVENT_ID_HEADER = "x-pulseboard-event-id";

/** `v1=<hex>`: HMAC-SHA256 of `<unix seconds>.<raw body>` with the owner's webhook secret. */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

export type WebhookResult = { ok: true; status: number } | { ok: false; error: string };

/** POSTs one signed event; never throws: a non-2xx answer or a network error is the result. */
export async function postSignedWebhook(
  url: string,
  secret: string,
  event: { id: string; body: string },
  timeoutMs: number,
): Promise<WebhookResult> {
  const timestamp = Math.floor(Date.now() / 1000);
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "user-agent": "Pulseboard-Webhook/1",
        [TIMESTAMP_HEADER]: String(timestamp),
        [SIGNATURE_HEADER]: signWebhook(secret, timestamp, event.body),
        // Receivers deduplicate on it: a delivery may be repeated after a crash.
        [EVENT_ID_HEADER]: event.id,
      },
      body: event.body,
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.body?.cancel();
    if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status };
    return { ok: false, error: `HTTP ${res.status}` };
  } catch (cause) {
    return { ok: false, error: errorMessage(cause) };
  }
}
