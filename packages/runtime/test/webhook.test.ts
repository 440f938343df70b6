// Webhook POSTs against real listening servers (issue 12, SSRF): internal addresses in any
// spelling are refused before anything is sent, with a generic error; WEBHOOK_ALLOW_PRIVATE lets
// them through; the checked address is the one connected to; redirects are not followed.
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { NO_ANSWER, NOT_ALLOWED, postJson, type WebhookOptions } from "../src/webhook";

interface Receiver {
  port: number;
  calls: { url: string; headers: IncomingHttpHeaders }[];
  close(): Promise<void>;
}

const open: Receiver[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((r) => r.close()));
});

async function receiver(
  host = "127.0.0.1",
  port = 0,
  answer: (res: import("node:http").ServerResponse) => void = (res) => res.writeHead(200).end(),
): Promise<Receiver> {
  const calls: Receiver["calls"] = [];
  const server: Server = createServer((req, res) => {
    calls.push({ url: req.url ?? "", headers: req.headers });
    req.resume();
    req.on("end", () => answer(res));
  });
  await new Promise<void>((r) => server.listen(port, host, r));
  const r: Receiver = {
    port: (server.address() as AddressInfo).port,
    calls,
    close: () => new Promise((done) => server.close(() => done())),
  };
  open.push(r);
  return r;
}

const request = { headers: {}, body: '{"type":"test"}' };
const strict: WebhookOptions = { timeoutMs: 2000, allowPrivate: false };
const lax: WebhookOptions = { timeoutMs: 2000, allowPrivate: true };

const spellings = (port: number) => [
  `http://127.0.0.1:${port}/hooks?token=s3cret`,
  `http://localhost:${port}/hooks?token=s3cret`,
  `http://[::ffff:127.0.0.1]:${port}/hooks?token=s3cret`,
  `http://2130706433:${port}/hooks?token=s3cret`,
  `http://0x7f.1:${port}/hooks?token=s3cret`,
];

describe("postJson: the receiver's address", () => {
  it("refuses loopback in every spelling: nothing reaches the server, the error is generic", async () => {
    const server = await receiver();
    for (const url of spellings(server.port)) {
      const result = await postJson(url, request, strict);
      expect({ url, result }).toMatchObject({ url, result: { ok: false, error: NOT_ALLOWED } });
      // The origin is what gets logged: never the path or query.
      if (!result.ok) expect(result.origin).not.toMatch(/token|hooks/);
    }
    expect(server.calls).toEqual([]);
  });

  it("with WEBHOOK_ALLOW_PRIVATE, the same spellings reach the server", async () => {
    const server = await receiver();
    for (const url of spellings(server.port)) {
      const result = await postJson(url, request, lax);
      expect({ url, result }).toEqual({ url, result: { ok: true, status: 200 } });
    }
    expect(server.calls.map((c) => c.url)).toEqual(spellings(server.port).map(() => "/hooks?token=s3cret"));
  });

  it("refuses a name resolving to an internal address among public ones, and metadata always", async () => {
    const server = await receiver();
    const mixed = await postJson(`http://mixed.test:${server.port}/`, request, {
      ...strict,
      resolve: async () => [
        { address: "93.184.215.14", family: 4 },
        { address: "127.0.0.1", family: 4 },
      ],
    });
    expect(mixed).toMatchObject({
      ok: false,
      error: NOT_ALLOWED,
      detail: "mixed.test is 127.0.0.1 (internal)",
    });
    const metadata = await postJson("http://169.254.169.254/latest/meta-data/", request, lax);
    expect(metadata).toMatchObject({ ok: false, error: NOT_ALLOWED });
    const unspecified = await postJson(`http://0.0.0.0:${server.port}/`, request, lax);
    expect(unspecified).toMatchObject({ ok: false, error: NOT_ALLOWED });
    expect(server.calls).toEqual([]);
  });

  it("connects to the address it checked, even when the name resolves elsewhere afterwards", async () => {
    const checked = await receiver("127.0.0.1");
    // Same port on another loopback address: where a second lookup would send the request.
    const rebound = await receiver("127.0.0.2", checked.port);
    let lookups = 0;
    const result = await postJson(`http://rebind.test:${checked.port}/hook`, request, {
      ...lax,
      resolve: async () => {
        lookups += 1;
        return [{ address: lookups === 1 ? "127.0.0.1" : "127.0.0.2", family: 4 }];
      },
    });
    expect(result).toEqual({ ok: true, status: 200 });
    expect(lookups).toBe(1);
    expect(rebound.calls).toEqual([]);
    expect(checked.calls).toHaveLength(1);
    // The request still names its host: virtual hosting and TLS work as with the name.
    expect(checked.calls[0]?.headers.host).toBe(`rebind.test:${checked.port}`);
  });
});

describe("postJson: failures", () => {
  it("says only that the receiver did not answer; the socket error is the log's detail", async () => {
    const closed = await receiver();
    await closed.close();
    open.splice(open.indexOf(closed), 1);
    const result = await postJson(`http://127.0.0.1:${closed.port}/`, request, lax);
    expect(result).toMatchObject({ ok: false, error: NO_ANSWER, origin: `http://127.0.0.1:${closed.port}` });
    if (!result.ok) expect(result.detail).toMatch(/ECONNREFUSED/);

    const unknown = await postJson("http://no-such-host.invalid/", request, strict);
    expect(unknown).toMatchObject({ ok: false, error: NO_ANSWER });
  });

  it("does not follow a redirect: a 3xx is a failed attempt", async () => {
    const target = await receiver();
    const redirecting = await receiver("127.0.0.1", 0, (res) =>
      res.writeHead(307, { location: `http://127.0.0.1:${target.port}/` }).end(),
    );
    const result = await postJson(`http://127.0.0.1:${redirecting.port}/`, request, lax);
    expect(result).toMatchObject({ ok: false, error: "HTTP 307" });
    expect(redirecting.calls).toHaveLength(1);
    expect(target.calls).toEqual([]);
  });

  it("gives up after the timeout", async () => {
    const silent = await receiver("127.0.0.1", 0, () => {});
    const started = Date.now();
    const result = await postJson(`http://127.0.0.1:${silent.port}/`, request, {
      ...lax,
      timeoutMs: 300,
    });
    expect(result).toMatchObject({ ok: false, error: NO_ANSWER });
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
