// Our Standard Webhooks headers checked by the scheme's own reference library (`standardwebhooks`),
// as a receiver would: one secret, a rotation's two, an older base64url secret, tampering, and a
// real POST over loopback verified from the raw bytes received.
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { afterEach, describe, expect, it } from "vitest";
import {
  generateWebhookSecret,
  standardSecretForm,
  standardWebhookHeaders,
  webhookSecretKey,
} from "./standard-webhooks";
import { postJson } from "./webhook";

const now = () => Math.floor(Date.now() / 1000);
const body = JSON.stringify({ type: "alert.fired", data: { device: "Kühlschrank", value: 7.5 } });

describe("secrets", () => {
  it("a new secret is whsec_ + standard base64 of 24 random bytes", () => {
    const secret = generateWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(webhookSecretKey(secret)).toHaveLength(24);
    expect(generateWebhookSecret()).not.toBe(secret);
    // Already in the form a receiver's library takes.
    expect(standardSecretForm(secret)).toBe(secret);
  });

  it("decodes both alphabets, with or without prefix and padding, to the same key", () => {
    const key = Buffer.from([0xfb, 0xff, 0xbf, 0x00, 0x01, 0xfe, 0x3e]);
    const standard = key.toString("base64");
    const urlSafe = key.toString("base64url");
    expect(standard).toMatch(/[+/]/);
    expect(urlSafe).toMatch(/[-_]/);
    for (const secret of [`whsec_${standard}`, `whsec_${urlSafe}`, standard, urlSafe, `${urlSafe}==`]) {
      expect(webhookSecretKey(secret).equals(key), secret).toBe(true);
    }
    expect(standardSecretForm(`whsec_${urlSafe}`)).toBe(`whsec_${standard}`);
  });

  it("refuses an empty or undecodable secret without quoting it", () => {
    for (const secret of [
      "",
      "whsec_",
      "whsec_==",
      "whsec_not base64",
      "whsec_ab+c-d",
      "whsec_abcde",
      "whsec_ab=c",
      "whsec_abc==",
    ]) {
      expect(() => webhookSecretKey(secret), secret).toThrow(/webhook secret is (empty|not base64)/);
    }
    try {
      webhookSecretKey("whsec_hunter2!");
    } catch (error) {
      expect(String(error)).not.toContain("hunter2");
    }
  });
});

describe("standardWebhookHeaders, verified by the standardwebhooks library", () => {
  it("one secret", () => {
    const secret = generateWebhookSecret();
    const headers = standardWebhookHeaders({ id: "msg_1", timestamp: now(), body, secrets: [secret] });
    expect(headers["webhook-id"]).toBe("msg_1");
    expect(headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
  });

  it("during a rotation both the new and the previous secret verify", () => {
    const current = generateWebhookSecret();
    const previous = generateWebhookSecret();
    const headers = standardWebhookHeaders({
      id: "msg_2",
      timestamp: now(),
      body,
      secrets: [current, previous],
    });
    expect(headers["webhook-signature"].split(" ")).toHaveLength(2);
    expect(() => new Webhook(current).verify(body, headers)).not.toThrow();
    expect(() => new Webhook(previous).verify(body, headers)).not.toThrow();
    expect(() => new Webhook(generateWebhookSecret()).verify(body, headers)).toThrow(/No matching signature/);
  });

  it("an older base64url secret verifies in its standard form", () => {
    const legacy = `whsec_${Buffer.from("older secret ~~~ with >>> and ???").toString("base64url")}`;
    expect(legacy).toMatch(/[-_]/);
    const headers = standardWebhookHeaders({ id: "msg_3", timestamp: now(), body, secrets: [legacy] });
    expect(() => new Webhook(standardSecretForm(legacy)).verify(body, headers)).not.toThrow();
  });

  it("a tampered body or an old timestamp fails", () => {
    const secret = generateWebhookSecret();
    const headers = standardWebhookHeaders({ id: "msg_4", timestamp: now(), body, secrets: [secret] });
    expect(() => new Webhook(secret).verify(body.replace("7.5", "9.5"), headers)).toThrow(
      /No matching signature/,
    );
    expect(() => new Webhook(secret).verify(body, { ...headers, "webhook-id": "msg_5" })).toThrow(
      /No matching signature/,
    );
    const old = standardWebhookHeaders({ id: "msg_4", timestamp: now() - 3600, body, secrets: [secret] });
    expect(() => new Webhook(secret).verify(body, old)).toThrow(/too old/);
  });

  it("refuses a fractional timestamp and an empty secret list", () => {
    const secrets = [generateWebhookSecret()];
    expect(() => standardWebhookHeaders({ id: "m", timestamp: 1.5, body, secrets })).toThrow(/integer/);
    expect(() => standardWebhookHeaders({ id: "m", timestamp: now(), body, secrets: [] })).toThrow(
      /at least one secret/,
    );
  });
});

describe("end to end: postJson to a receiver verifying with standardwebhooks", () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((close) => close()));
  });

  it("the receiver verifies the raw body and headers it got", async () => {
    const secret = generateWebhookSecret();
    const received: { headers: IncomingHttpHeaders; verified: unknown; error: string | null }[] = [];
    const server = createServer((req, res) => {
      const parts: Buffer[] = [];
      req.on("data", (chunk: Buffer) => parts.push(chunk));
      req.on("end", () => {
        const raw = Buffer.concat(parts);
        const headers = Object.fromEntries(
          Object.entries(req.headers).map(([name, value]) => [name, String(value)]),
        );
        try {
          const verified = new Webhook(secret).verify(raw, headers);
          received.push({ headers: req.headers, verified, error: null });
          res.writeHead(204).end();
        } catch (error) {
          received.push({ headers: req.headers, verified: null, error: String(error) });
          res.writeHead(401).end();
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    closers.push(() => new Promise((resolve) => server.close(() => resolve())));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/receive`;

    const headers = standardWebhookHeaders({ id: "msg_e2e", timestamp: now(), body, secrets: [secret] });
    const result = await postJson(url, { headers, body }, { timeoutMs: 2000, allowPrivate: true });
    expect(received.map((r) => r.error)).toEqual([null]);
    expect(result).toEqual({ ok: true, status: 204 });
    expect(received[0]?.verified).toEqual(JSON.parse(body));
    expect(received[0]?.headers["content-type"]).toBe("application/json");

    // The same receiver refuses a delivery signed with another secret.
    const forged = standardWebhookHeaders({
      id: "msg_e2e",
      timestamp: now(),
      body,
      secrets: [generateWebhookSecret()],
    });
    expect(
      await postJson(url, { headers: forged, body }, { timeoutMs: 2000, allowPrivate: true }),
    ).toMatchObject({
      ok: false,
      error: "HTTP 401",
    });
  });
});
