// postJson against a real HTTP server on loopback: the caller's headers and the raw body arrive
// as given, beside the defaults it may override; a notice's signature headers as receivers check
// them. (test/webhook.test.ts covers the SSRF guard's rules at length.)
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { afterEach, describe, expect, it } from "vitest";
import { generateWebhookSecret } from "./standard-webhooks";
import {
  EVENT_ID_HEADER,
  NOT_ALLOWED,
  noticeWebhookHeaders,
  postJson,
  SIGNATURE_HEADER,
  signWebhook,
  TIMESTAMP_HEADER,
  type WebhookOptions,
} from "./webhook";

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  rawHeaders: string[];
  body: string;
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function receiver(answer: (res: ServerResponse) => void = (res) => res.writeHead(204).end()) {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on("data", (chunk: Buffer) => parts.push(chunk));
    req.on("end", () => {
      received.push({
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        rawHeaders: req.rawHeaders,
        body: Buffer.concat(parts).toString("utf8"),
      });
      answer(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/1?token=s3cret`, received };
}

const lax: WebhookOptions = { timeoutMs: 2000, allowPrivate: true };
const body = JSON.stringify({ type: "alert.fired", text: "Grüße, 5 µs" });

describe("postJson", () => {
  it("sends the caller's headers and the exact body, with JSON and our user agent by default", async () => {
    const { url, received } = await receiver();
    const result = await postJson(url, { headers: { "webhook-id": "msg_1", "X-Custom": "yes" }, body }, lax);
    expect(result).toEqual({ ok: true, status: 204 });
    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request?.method).toBe("POST");
    expect(request?.url).toBe("/hooks/1?token=s3cret");
    expect(request?.body).toBe(body);
    expect(request?.headers).toMatchObject({
      "content-type": "application/json",
      "user-agent": "Pulseboard-Webhook/1",
      "content-length": String(Buffer.byteLength(body)),
      "webhook-id": "msg_1",
      "x-custom": "yes",
    });
  });

  it("a caller's content-type or user-agent, in any case, replaces the default instead of joining it", async () => {
    const { url, received } = await receiver();
    const headers = { "Content-Type": "application/cloudevents+json", "User-Agent": "Other/2" };
    expect(await postJson(url, { headers, body }, lax)).toEqual({ ok: true, status: 204 });
    const names = (received[0]?.rawHeaders ?? []).filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());
    expect(names.filter((n) => n === "content-type" || n === "user-agent")).toHaveLength(2);
    expect(received[0]?.headers["content-type"]).toBe("application/cloudevents+json");
    expect(received[0]?.headers["user-agent"]).toBe("Other/2");
  });

  it("a non-2xx answer is a failure naming the status; the logged origin leaves out path and query", async () => {
    const { url } = await receiver((res) => res.writeHead(410).end());
    const result = await postJson(url, { headers: {}, body }, lax);
    expect(result).toEqual({
      ok: false,
      error: "HTTP 410",
      detail: "answered HTTP 410",
      origin: new URL(url).origin,
    });
  });

  it("a header value that cannot be sent is a failed attempt, not a throw", async () => {
    const { url, received } = await receiver();
    const result = await postJson(url, { headers: { "x-bad": "a\r\nb" }, body }, lax);
    expect(result).toMatchObject({ ok: false });
    expect(received).toEqual([]);
  });

  it("without WEBHOOK_ALLOW_PRIVATE a loopback URL is not allowed and never reaches the server", async () => {
    const { url, received } = await receiver();
    const result = await postJson(url, { headers: {}, body }, { timeoutMs: 2000, allowPrivate: false });
    expect(result).toMatchObject({ ok: false, error: NOT_ALLOWED });
    expect(received).toEqual([]);
  });
});

describe("noticeWebhookHeaders", () => {
  it("signs for Standard Webhooks receivers (both secrets during a rotation) and, deprecated, as before", async () => {
    const { url, received } = await receiver();
    const current = generateWebhookSecret();
    const previous = generateWebhookSecret();
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = noticeWebhookHeaders({
      deliveryId: "de110000-0000-4000-8000-000000000005",
      eventId: "00000000-0000-4000-8000-000000000001",
      timestamp,
      body,
      secrets: [current, previous],
      legacySecret: "whsec_old-form",
    });
    expect(await postJson(url, { headers, body }, lax)).toEqual({ ok: true, status: 204 });
    const got = received[0]?.headers ?? {};
    const standard = Object.fromEntries(
      ["webhook-id", "webhook-timestamp", "webhook-signature"].map((h) => [h, String(got[h])]),
    );
    for (const secret of [current, previous]) expect(new Webhook(secret).verify(body, standard)).toBeTruthy();
    expect(got["webhook-id"]).toBe("de110000-0000-4000-8000-000000000005");
    expect(got[SIGNATURE_HEADER]).toBe(signWebhook("whsec_old-form", timestamp, body));
    expect(got[TIMESTAMP_HEADER]).toBe(String(timestamp));
    expect(got[EVENT_ID_HEADER]).toBe("00000000-0000-4000-8000-000000000001");
    expect(received[0]?.body).toBe(body);
  });
});
