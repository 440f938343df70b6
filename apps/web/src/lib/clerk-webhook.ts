// Clerk's webhooks are sent by Svix: `svix-id`, `svix-timestamp` (seconds) and `svix-signature`
// (`v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`, several separated by spaces during a
// secret rotation) over the raw body. That is the Standard Webhooks scheme under other header
// names, so the `standardwebhooks` package verifies it (svix 2.x itself needs Node 22), refusing
// a timestamp more than 5 minutes off (replays). The verdict says how to answer: 400 for a
// delivery that is not a webhook at all, 401 for one whose signature does not hold.
import { Webhook, WebhookVerificationError } from "standardwebhooks";

export type WebhookVerdict = { ok: true; payload: unknown } | { ok: false; status: 400 | 401; error: string };

const SVIX_HEADERS = ["svix-id", "svix-timestamp", "svix-signature"] as const;

/** Verifies `body` (the raw bytes, as received) against the svix headers and `secret` (`whsec_…`). */
export function verifyClerkWebhook(body: Uint8Array, headers: Headers, secret: string): WebhookVerdict {
  const missing = SVIX_HEADERS.filter((name) => !headers.get(name)?.trim());
  if (missing.length > 0) return { ok: false, status: 400, error: `missing ${missing.join(", ")} header` };
  const [id, timestamp, signature] = SVIX_HEADERS.map((name) => headers.get(name)?.trim() ?? "");
  try {
    new Webhook(secret).verify(
      body,
      { "webhook-id": id ?? "", "webhook-timestamp": timestamp ?? "", "webhook-signature": signature ?? "" },
      { jsonParse: false },
    );
  } catch (error) {
    if (error instanceof WebhookVerificationError)
      return { ok: false, status: 401, error: `webhook signature refused: ${error.message}` };
    throw error;
  }
  try {
    return { ok: true, payload: JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body)) };
  } catch {
    return { ok: false, status: 400, error: "webhook body is not JSON text" };
  }
}
