import { randomBytes } from "node:crypto";
import { Receiver } from "@upstash/qstash";
import { afterEach, describe, expect, it } from "vitest";
import { createQueue, QueueClosedError, QueueFullError, signLikeQStash } from "../src/index";
import { captureLogger, type Received, sleep, startServer, waitFor } from "./servers";

const currentSigningKey = `sig_${randomBytes(20).toString("base64url")}`;
const nextSigningKey = `sig_${randomBytes(20).toString("base64url")}`;
const receiver = new Receiver({ currentSigningKey, nextSigningKey });

const cleanup: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const item of cleanup.splice(0).reverse()) await item.close();
});

async function setup(
  respond?: Parameters<typeof startServer>[0],
  options: {
    maxPending?: number;
    dedupWindowMs?: number;
    closeTimeoutMs?: number;
    maxConcurrentPerDestination?: number;
  } = {},
) {
  const server = await startServer(respond);
  const { log, lines } = captureLogger();
  const queue = createQueue({ currentSigningKey, nextSigningKey, retryBaseMs: 1, ...options }, log);
  cleanup.push(server, queue);
  return { server, queue, lines, url: `${server.url}/v1/evaluate` };
}

const signature = (req: Received | undefined) => String(req?.headers["upstash-signature"]);

function claims(jwt: string) {
  return JSON.parse(Buffer.from(jwt.split(".")[1] ?? "", "base64url").toString()) as Record<string, unknown>;
}

describe("local queue: signed like QStash", () => {
  it("delivers a message the Receiver accepts on the raw body and the destination URL", async () => {
    const { server, queue, url } = await setup();
    const result = await queue.publishJSON({
      url,
      body: { deviceIds: ["d1", "d2"], note: "23.5 °C" },
      headers: { "X-Pulseboard-Kind": "evaluate" },
    });
    expect(result.deduplicated).toBe(false);
    await waitFor(() => server.received.length === 1);

    const [req] = server.received;
    expect(req?.method).toBe("POST");
    expect(req?.path).toBe("/v1/evaluate");
    expect(req?.headers["content-type"]).toBe("application/json");
    expect(req?.headers["upstash-message-id"]).toBe(result.messageId);
    expect(req?.headers["upstash-retried"]).toBe("0");
    expect(req?.headers["x-pulseboard-kind"]).toBe("evaluate");
    const body = req?.body ?? "";
    expect(body).toBe('{"deviceIds":["d1","d2"],"note":"23.5 °C"}');
    await expect(receiver.verify({ signature: signature(req), body, url })).resolves.toBe(true);

    const c = claims(signature(req));
    expect(c).toMatchObject({ iss: "Upstash", sub: url });
    expect(c.nbf).toBe(c.iat);
    expect(Number(c.exp) - Number(c.iat)).toBe(300);
    expect(c.jti).toMatch(/^jwt_/);
    expect(c.body).toMatch(/^[A-Za-z0-9_-]{43}=$/); // QStash's padded base64url

    // Anything but the exact bytes and URL fails.
    const oneByte = body.replace("d2", "d3");
    const respaced = JSON.stringify(JSON.parse(body), null, 2);
    for (const attempt of [
      { body: oneByte, url },
      { body: respaced, url },
      { body, url: `${server.url}/v1/sweep` },
    ]) {
      await expect(receiver.verify({ signature: signature(req), ...attempt })).rejects.toThrow();
    }
  });

  it("signs with a lifetime, with either key of the pair, and with no other key", async () => {
    const url = "http://alerter.local/v1/evaluate";
    const body = '{"deviceIds":["d1"]}';
    const tenMinutesAgo = new Date(Date.now() - 10 * 60_000);
    const expired = signLikeQStash({ url, body, signingKey: currentSigningKey, now: tenMinutesAgo });
    await expect(receiver.verify({ signature: expired, body, url })).rejects.toThrow();
    // Expiry was the only fault: tolerating the clock skew accepts it.
    await expect(receiver.verify({ signature: expired, body, url, clockTolerance: 600 })).resolves.toBe(true);

    const stranger = signLikeQStash({
      url,
      body,
      signingKey: `sig_${randomBytes(20).toString("base64url")}`,
    });
    await expect(receiver.verify({ signature: stranger, body, url })).rejects.toThrow();

    const next = signLikeQStash({ url, body, signingKey: nextSigningKey });
    await expect(receiver.verify({ signature: next, body, url })).resolves.toBe(true);

    const now = new Date("2030-01-01T00:00:00Z");
    expect(claims(signLikeQStash({ url, body, signingKey: currentSigningKey, now }))).toMatchObject({
      iat: 1_893_456_000,
      nbf: 1_893_456_000,
      exp: 1_893_456_300,
    });
  });
});

describe("local queue: retries", () => {
  it("retries a non-2xx answer, counting attempts in Upstash-Retried, each freshly signed", async () => {
    const { server, queue, url } = await setup((n) => ({ status: n < 2 ? 500 : 200 }));
    const { messageId } = await queue.publishJSON({ url, body: { sweep: true } });
    await waitFor(() => server.received.length === 3);
    await sleep(50);
    expect(server.received).toHaveLength(3);
    expect(server.received.map((r) => r.headers["upstash-retried"])).toEqual(["0", "1", "2"]);
    for (const req of server.received) {
      expect(req.headers["upstash-message-id"]).toBe(messageId);
      await expect(receiver.verify({ signature: signature(req), body: req.body, url })).resolves.toBe(true);
    }
  });

  it("gives up after retries + 1 attempts, 4xx included", async () => {
    const { server, queue, url, lines } = await setup(() => ({ status: 400 }));
    await queue.publishJSON({ url, body: {}, retries: 2 });
    await waitFor(() => server.received.length === 3);
    await sleep(300); // longer than the next backoff would be (e^7.5 ms ≈ 1.8 s is not reached)
    expect(server.received).toHaveLength(3);
    await waitFor(() => lines.some((l) => l.includes("giving up")));
  });

  it("retries network errors", async () => {
    const { queue, lines } = await setup();
    const gone = await startServer();
    await gone.close();
    await queue.publishJSON({ url: `${gone.url}/v1/evaluate`, body: {}, retries: 1 });
    await waitFor(() => lines.some((l) => l.includes("giving up")));
    expect(lines.filter((l) => l.includes("delivery failed"))).toHaveLength(2);
  });
});

describe("local queue: deduplication and bounds", () => {
  it("delivers a deduplication id once within the window, again after it", async () => {
    const { server, queue, url } = await setup(undefined, { dedupWindowMs: 300 });
    const first = await queue.publishJSON({ url, body: { n: 1 }, deduplicationId: "batch-7" });
    const second = await queue.publishJSON({ url, body: { n: 2 }, deduplicationId: "batch-7" });
    expect(second).toEqual({ messageId: first.messageId, deduplicated: true });
    await waitFor(() => server.received.length === 1);
    await sleep(50);
    expect(server.received.map((r) => r.body)).toEqual(['{"n":1}']);

    await sleep(300);
    const third = await queue.publishJSON({ url, body: { n: 3 }, deduplicationId: "batch-7" });
    expect(third.deduplicated).toBe(false);
    await waitFor(() => server.received.length === 2);
  });

  it("rejects beyond maxPending with a clear error, and frees room as messages are delivered", async () => {
    const { server, queue, url } = await setup(undefined, { maxPending: 2 });
    await queue.publishJSON({ url, body: {}, delaySeconds: 60 });
    await queue.publishJSON({ url, body: {}, delaySeconds: 60 });
    const third = queue.publishJSON({ url, body: {} });
    await expect(third).rejects.toThrow(QueueFullError);
    await expect(third).rejects.toThrow("local queue is full: 2 messages pending delivery (maxPending)");

    const { queue: roomy } = await setup(undefined, { maxPending: 1 });
    await roomy.publishJSON({ url, body: { n: 1 } });
    await waitFor(() => server.received.length === 1);
    await sleep(20);
    await roomy.publishJSON({ url, body: { n: 2 } });
    await waitFor(() => server.received.length === 2);
  });
});

describe("local queue: concurrency", () => {
  it("runs at most maxConcurrentPerDestination attempts at once per destination, in order, without holding up another", async () => {
    const active = new Map<string, number>();
    const peak = new Map<string, number>();
    const { server, queue } = await setup(
      (_n, req) => {
        const now = (active.get(req.path) ?? 0) + 1;
        active.set(req.path, now);
        peak.set(req.path, Math.max(peak.get(req.path) ?? 0, now));
        const afterMs = req.path === "/v1/deliver" ? 150 : 0;
        setTimeout(() => active.set(req.path, (active.get(req.path) ?? 1) - 1), afterMs);
        return { status: 200, afterMs };
      },
      { maxConcurrentPerDestination: 3 },
    );
    // 12 slow deliveries (a webhook receiver taking its time), then one evaluation.
    for (let n = 0; n < 12; n++) await queue.publishJSON({ url: `${server.url}/v1/deliver`, body: { n } });
    await queue.publishJSON({ url: `${server.url}/v1/evaluate`, body: { n: "evaluate" } });
    await waitFor(() => server.received.some((r) => r.path === "/v1/evaluate"), 2000);
    // The evaluation went through while the deliveries still queued (12 at 3 at a time: 4 rounds).
    expect(server.received.filter((r) => r.path === "/v1/deliver").length).toBeLessThan(12);
    await waitFor(() => server.received.length === 13, 5000);
    expect(peak.get("/v1/deliver")).toBe(3);
    // Each destination's messages start in the order they became due: the first three at once,
    // the rest as slots free (two started together may reach the server in either order).
    const order = server.received
      .filter((r) => r.path === "/v1/deliver")
      .map((r) => (JSON.parse(r.body) as { n: number }).n);
    expect(new Set(order.slice(0, 3))).toEqual(new Set([0, 1, 2]));
    expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, n) => n));
  });

  it("drops messages waiting for a slot on close, like delayed ones", async () => {
    const { server, queue, lines } = await setup(() => ({ status: 200, afterMs: 300 }), {
      maxConcurrentPerDestination: 1,
      closeTimeoutMs: 1000,
    });
    for (let n = 0; n < 3; n++) await queue.publishJSON({ url: `${server.url}/v1/deliver`, body: { n } });
    await waitFor(() => server.received.length === 1);
    await queue.close();
    expect(server.received).toHaveLength(1);
    expect(lines.some((l) => l.includes('"dropped":2'))).toBe(true);
  });
});

describe("local queue: close and logs", () => {
  it("drops waiting messages, resolves promptly and refuses new ones", async () => {
    const { queue, url, lines } = await setup();
    await queue.publishJSON({ url, body: {}, delaySeconds: 3600 });
    const started = Date.now();
    await queue.close();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(lines.some((l) => l.includes('"dropped":1'))).toBe(true);
    await expect(queue.publishJSON({ url, body: {} })).rejects.toThrow(QueueClosedError);
  });

  it("waits for a delivery in progress", async () => {
    const { server, queue, url, lines } = await setup(() => ({ status: 200, afterMs: 150 }));
    await queue.publishJSON({ url, body: {} });
    await waitFor(() => server.received.length === 1);
    await queue.close();
    expect(lines.some((l) => l.includes("message delivered"))).toBe(true);
  });

  it("aborts a delivery still running after the close timeout", async () => {
    const { server, queue, url, lines } = await setup(() => ({ status: 200, afterMs: 5000 }), {
      closeTimeoutMs: 50,
    });
    await queue.publishJSON({ url, body: {} });
    await waitFor(() => server.received.length === 1);
    const started = Date.now();
    await queue.close();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(lines.some((l) => l.includes('"aborted":1'))).toBe(true);
  });

  it("logs under module queue, never the signing keys or the signature", async () => {
    const { server, queue, url, lines } = await setup((n) => ({ status: n === 0 ? 503 : 200 }));
    await queue.publishJSON({ url, body: { ok: true } });
    await waitFor(() => server.received.length === 2);
    await queue.close();
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(JSON.parse(line)).toMatchObject({ module: "queue" });
    const all = lines.join("\n");
    expect(all).not.toContain(currentSigningKey);
    expect(all).not.toContain(nextSigningKey);
    for (const req of server.received) expect(all).not.toContain(signature(req).split(".")[2]);
  });
});
