// The `Upstash-Signature` JWT exactly as QStash builds it, so a receiver verifies local deliveries
// with @upstash/qstash's Receiver unchanged (jose HS256 over the key's UTF-8 bytes, iss "Upstash",
// sub = destination URL, body = base64url SHA-256 of the raw body).
import { createHash, createHmac, randomBytes } from "node:crypto";

/** QStash's token lifetime. */
const LIFETIME_SECONDS = 5 * 60;

const segment = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

export interface SignInput {
  /** Destination URL: becomes `sub`, which Receiver compares with the URL it is given. */
  url: string;
  /** The raw body exactly as sent. */
  body: string;
  signingKey: string;
  now?: Date;
}

export function signLikeQStash({ url, body, signingKey, now = new Date() }: SignInput): string {
  const iat = Math.floor(now.getTime() / 1000);
  const header = { alg: "HS256", typ: "JWT" };
  const claims = {
    iss: "Upstash",
    sub: url,
    exp: iat + LIFETIME_SECONDS,
    nbf: iat,
    iat,
    jti: `jwt_${randomBytes(18).toString("base64url")}`,
    // QStash sends the padded URL-safe form ("...="); Receiver ignores padding either way.
    body: createHash("sha256")
      .update(body, "utf8")
      .digest("base64")
      .replaceAll("+", "-")
      .replaceAll("/", "_"),
  };
  const unsigned = `${segment(header)}.${segment(claims)}`;
  const signature = createHmac("sha256", signingKey).update(unsigned).digest("base64url");
  return `${unsigned}.${signature}`;
}
