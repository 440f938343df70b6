// Webhook POSTs, shared by the alerter (alert transitions) and the web app ("send test"): postJson
// sends a JSON body with the caller's headers; noticeWebhookHeaders signs a notice, in the
// Standard Webhooks format (standard-webhooks.ts) and, deprecated, with our own x-pulseboard-*
// headers (HMAC-SHA256 over `<unix seconds>.<raw body>` with the secret's string).
//
// The owner chooses the URL, so the request is guarded against reaching our own network (SSRF,
// issue 12): the host is resolved once, every address it resolves to must be allowed
// (webhook-address.ts), and the connection is made to those checked addresses only, so a DNS
// answer that changes between the check and the connection (rebinding) cannot swap them.
// Redirects are not followed. What went wrong is told to the owner in generic words (an exact
// socket error would make "send test" a port scanner); the detail is for the server log.
import { createHmac } from "node:crypto";
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { type ClientRequest, request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import type { LookupFunction } from "node:net";
import { errorMessage } from "./errors";
import { standardWebhookHeaders } from "./standard-webhooks";
import { classifyAddress, isAllowedAddress, isLocalhostName, literalAddress } from "./webhook-address";

export const SIGNATURE_HEADER = "x-pulseboard-signature";
export const TIMESTAMP_HEADER = "x-pulseboard-timestamp";
export const EVENT_ID_HEADER = "x-pulseboard-event-id";

/** What the owner is told (the event's last error, the "send test" answer). */
export const NOT_ALLOWED = "the address is not allowed";
export const NO_ANSWER = "the receiver did not answer";

/** `v1=<hex>`: HMAC-SHA256 of `<unix seconds>.<raw body>` with the owner's webhook secret. */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

export type WebhookResult =
  | { ok: true; status: number }
  | {
      ok: false;
      /** For the owner: NOT_ALLOWED, NO_ANSWER or `HTTP <status>`. */
      error: string;
      /** For the server log only: the resolved address refused, the socket error... */
      detail: string;
      /** The URL's origin, to log (the path and query may carry the receiver's secrets). */
      origin: string;
    };

export interface WebhookOptions {
  timeoutMs: number;
  /** WEBHOOK_ALLOW_PRIVATE: loopback, private and link-local receivers are allowed. */
  allowPrivate: boolean;
  /** Resolves a hostname to all its addresses (dns.lookup); tests inject their own. */
  resolve?: (hostname: string) => Promise<LookupAddress[]>;
}

const systemResolve = (hostname: string) =>
  new Promise<LookupAddress[]>((resolve, reject) =>
    dnsLookup(hostname, { all: true }, (error, addresses) => (error ? reject(error) : resolve(addresses))),
  );

type Target = { ok: true; addresses: LookupAddress[] } | { ok: false; detail: string };

/** The addresses `url` may be reached at: all checked, or the reason it may not be reached. */
async function checkedAddresses(
  url: URL,
  allowPrivate: boolean,
  resolve: (hostname: string) => Promise<LookupAddress[]>,
): Promise<Target | { ok: "unresolved"; detail: string }> {
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return { ok: false, detail: `scheme ${url.protocol} is not http(s)` };
  }
  const literal = literalAddress(url);
  if (!literal && !allowPrivate && isLocalhostName(url.hostname)) {
    return { ok: false, detail: `${url.hostname} names loopback` };
  }
  let addresses: LookupAddress[];
  try {
    addresses = literal
      ? [{ address: literal, family: literal.includes(":") ? 6 : 4 }]
      : await resolve(url.hostname);
  } catch (error) {
    return { ok: "unresolved", detail: `DNS: ${errorMessage(error)}` };
  }
  if (addresses.length === 0) return { ok: "unresolved", detail: "DNS: no address" };
  // Every address must pass, not just one: a name mixing a public address with an internal one
  // is how rebinding is staged, and the connection may use any of them.
  const refused = addresses.find((a) => !isAllowedAddress(a.address, allowPrivate));
  if (refused) {
    return {
      ok: false,
      detail: `${url.hostname} is ${refused.address} (${classifyAddress(refused.address)})`,
    };
  }
  return { ok: true, addresses };
}

/** A `lookup` for the socket that answers with the checked addresses, never asking DNS again. */
function pinnedLookup(addresses: LookupAddress[]): LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all) {
      (callback as (e: null, a: LookupAddress[]) => void)(null, addresses);
      return;
    }
    const wanted = addresses.find((a) => !options.family || a.family === options.family) ?? addresses[0];
    callback(null, wanted?.address ?? "", wanted?.family ?? 4);
  };
}

/** POSTs and settles with the answer's status; the answer's body is not read. */
function post(
  url: URL,
  addresses: LookupAddress[],
  headers: Record<string, string>,
  body: string,
  signal: AbortSignal,
) {
  return new Promise<number>((resolve, reject) => {
    const send = url.protocol === "https:" ? httpsRequest : httpRequest;
    const req: ClientRequest = send(
      url,
      {
        method: "POST",
        headers: { ...headers, "content-length": String(Buffer.byteLength(body)) },
        // The hostname stays the request's (Host header, TLS SNI and certificate check); only
        // the address it connects to is fixed. An IP literal is connected to without a lookup.
        lookup: pinnedLookup(addresses),
        agent: false,
        signal,
      },
      (res: IncomingMessage) => {
        res.destroy();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/**
 * POSTs a JSON body with the caller's headers (content-type and user-agent have defaults a caller's
 * header of the same name, in any case, replaces); never throws: a non-2xx answer (a redirect too)
 * or an error is the result.
 */
export async function postJson(
  rawUrl: string,
  request: { headers: Record<string, string>; body: string },
  options: WebhookOptions,
): Promise<WebhookResult> {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return { ok: false, error: NOT_ALLOWED, detail: "not a URL", origin: "(invalid)" };
  }
  const origin = url.origin;
  const signal = AbortSignal.timeout(options.timeoutMs);
  const target = await Promise.race([
    checkedAddresses(url, options.allowPrivate, options.resolve ?? systemResolve),
    new Promise<{ ok: "unresolved"; detail: string }>((resolve) =>
      signal.addEventListener("abort", () => resolve({ ok: "unresolved", detail: "DNS: timed out" })),
    ),
  ]);
  if (target.ok === "unresolved") return { ok: false, error: NO_ANSWER, detail: target.detail, origin };
  if (!target.ok) return { ok: false, error: NOT_ALLOWED, detail: target.detail, origin };

  // Names lower-cased, so that a caller's `Content-Type` replaces the default instead of being
  // sent beside it.
  const headers = Object.fromEntries(
    new Map([
      ["content-type", "application/json"],
      ["user-agent", "Pulseboard-Webhook/1"],
      ...Object.entries(request.headers).map(([name, value]) => [name.toLowerCase(), value] as const),
    ]),
  );
  try {
    const status = await post(url, target.addresses, headers, request.body, signal);
    if (status >= 200 && status < 300) return { ok: true, status };
    return { ok: false, error: `HTTP ${status}`, detail: `answered HTTP ${status}`, origin };
  } catch (cause) {
    return { ok: false, error: NO_ANSWER, detail: errorMessage(cause), origin };
  }
}

/**
 * A notice's signature headers: Standard Webhooks' (`webhook-id` the delivery's own id, the same on
 * every retry; one signature per secret, the current first), and for one release the deprecated
 * X-Pulseboard ones, made with `legacySecret` as before (receivers deduplicate those on the event
 * id). The alerter's deliveries and the web app's "send test" sign alike through this.
 */
export function noticeWebhookHeaders({
  deliveryId,
  eventId,
  timestamp,
  body,
  secrets,
  legacySecret,
}: {
  deliveryId: string;
  eventId: string;
  /** Integer unix seconds. */
  timestamp: number;
  body: string;
  secrets: string[];
  legacySecret: string;
}): Record<string, string> {
  return {
    ...standardWebhookHeaders({ id: deliveryId, timestamp, body, secrets }),
    [TIMESTAMP_HEADER]: String(timestamp),
    [SIGNATURE_HEADER]: signWebhook(legacySecret, timestamp, body),
    [EVENT_ID_HEADER]: eventId,
  };
}
