// The Standard Webhooks signing scheme (https://www.standardwebhooks.com/), so that a receiver can
// verify our webhooks with any of its libraries: a secret is `whsec_` + base64 of the key bytes;
// `webhook-signature` holds `v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`, one per
// secret still valid, space-separated, so a rotation does not break a receiver holding either.
// Sending is postJson's (webhook.ts); this only builds the headers.
import { createHmac, randomBytes } from "node:crypto";

const PREFIX = "whsec_";
// 24 bytes: within the 24-64 the spec recommends.
const SECRET_BYTES = 24;

/** A new secret: `whsec_` + standard base64 (the alphabet with `+` and `/`) of 24 random bytes. */
export function generateWebhookSecret(): string {
  return `${PREFIX}${randomBytes(SECRET_BYTES).toString("base64")}`;
}

// One alphabet or the other, never both; padding optional, but only where it belongs.
const STANDARD = /^[A-Za-z0-9+/]+$/;
const URL_SAFE = /^[A-Za-z0-9_-]+$/;

/**
 * The HMAC key of a secret: base64 after an optional `whsec_`, in the standard alphabet or the
 * URL-safe one (our older secrets were `whsec_` + base64url; their key is the decoded bytes).
 * Throws on an empty or undecodable secret; the message never quotes the secret.
 */
export function webhookSecretKey(secret: string): Buffer {
  const encoded = secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret;
  const unpadded = encoded.replace(/={1,2}$/, "");
  const padded = unpadded !== encoded;
  if (unpadded === "") throw new Error("webhook secret is empty");
  if (
    !(STANDARD.test(unpadded) || URL_SAFE.test(unpadded)) ||
    // A single character left over encodes no whole byte; padding makes the length a multiple of 4.
    unpadded.length % 4 === 1 ||
    (padded && encoded.length % 4 !== 0)
  ) {
    throw new Error("webhook secret is not base64 (expected whsec_ followed by base64)");
  }
  // Node's base64 decoder takes both alphabets.
  return Buffer.from(unpadded, "base64");
}

/**
 * The secret as a receiver's Standard Webhooks library takes it: `whsec_` + standard base64 of the
 * same key. For an older base64url secret the characters differ, the key does not.
 */
export function standardSecretForm(secret: string): string {
  return `${PREFIX}${webhookSecretKey(secret).toString("base64")}`;
}

export type StandardWebhookHeaders = Record<"webhook-id" | "webhook-timestamp" | "webhook-signature", string>;

/**
 * The three Standard Webhooks headers for one delivery. `timestamp` is integer unix seconds;
 * `secrets` lists the current secret first, then previous ones still valid during a rotation.
 * `body` must be the exact bytes sent: the signature covers them, not their meaning.
 */
export function standardWebhookHeaders({
  id,
  timestamp,
  body,
  secrets,
}: {
  id: string;
  timestamp: number;
  body: string;
  secrets: string[];
}): StandardWebhookHeaders {
  // Receivers read the header as an integer: a fraction would be signed but never match.
  if (!Number.isSafeInteger(timestamp)) throw new Error("webhook timestamp must be integer unix seconds");
  if (secrets.length === 0) throw new Error("a webhook needs at least one secret to be signed");
  const signed = `${id}.${timestamp}.${body}`;
  const signatures = secrets.map(
    (secret) => `v1,${createHmac("sha256", webhookSecretKey(secret)).update(signed).digest("base64")}`,
  );
  return {
    "webhook-id": id,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": signatures.join(" "),
  };
}
