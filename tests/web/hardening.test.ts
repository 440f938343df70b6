// Hardening over real HTTP against the production server (issue 12): anti-framing and sniffing headers on
// every response, the JSON API refusing bodies that are not declared as JSON, and a device page
// whose metrics are named like Object.prototype's keys.
import { request as httpRequest } from "node:http";
import { useTestDatabase } from "@pulseboard/devstack/test";
import { reapAll } from "@pulseboard/devstack/test/process";
import { type RunningWeb, signUp, startWeb, type TestUser } from "@pulseboard/devstack/test/web";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, insertReadings } from "./helpers";

const database = useTestDatabase();
let web: RunningWeb;
let alice: TestUser;

beforeAll(async () => {
  web = await startWeb(database.current);
  alice = await signUp(web.url, "Alice");
}, 300_000);

afterAll(async () => {
  await web?.stop();
  await reapAll();
});

function expectHardened(res: Response, what: string) {
  expect({ what, value: res.headers.get("content-security-policy") }).toEqual({
    what,
    value: "frame-ancestors 'none'",
  });
  expect({ what, value: res.headers.get("x-content-type-options") }).toEqual({ what, value: "nosniff" });
  expect({ what, value: res.headers.get("referrer-policy") }).toEqual({
    what,
    value: "strict-origin-when-cross-origin",
  });
}

describe("security headers", () => {
  it("a page, an API route, an auth route and a 404 carry them", async () => {
    const requests: [string, RequestInit][] = [
      ["/sign-in", {}],
      ["/", { redirect: "manual" }],
      ["/api/devices", { headers: { cookie: alice.cookie } }],
      ["/api/devices", {}],
      ["/api/auth/get-session", { headers: { cookie: alice.cookie } }],
      ["/no-such-page", {}],
    ];
    for (const [path, init] of requests) {
      const res = await fetch(`${web.url}${path}`, init);
      await res.arrayBuffer();
      expectHardened(res, path);
    }
  });
});

describe("request bodies must be declared as JSON", () => {
  const post = (contentType: string | null, body: string) =>
    fetch(`${web.url}/api/devices`, {
      method: "POST",
      headers: {
        origin: web.url,
        cookie: alice.cookie,
        ...(contentType === null ? {} : { "content-type": contentType }),
      },
      body,
    });

  it("a write whose body is not application/json is a 415 with an error body", async () => {
    const body = JSON.stringify({ name: "Sneaky" });
    for (const contentType of [
      "text/plain",
      "text/plain;charset=UTF-8",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
      "application/jsonx",
      "application/json-patch+json",
    ]) {
      const res = await post(contentType, body);
      expect({ contentType, status: res.status }).toEqual({ contentType, status: 415 });
      const parsed = (await res.json()) as { error: unknown };
      expect(typeof parsed.error).toBe("string");
    }
    // Undeclared (fetch sends a string body as text/plain unless told otherwise).
    const res = await post(null, body);
    expect(res.status).toBe(415);
    await res.arrayBuffer();
    const list = await fetch(`${web.url}/api/devices`, { headers: { cookie: alice.cookie } });
    expect(((await list.json()) as { name: string }[]).map((d) => d.name)).not.toContain("Sneaky");
  });

  it("a JSON write, with or without a charset, still works", async () => {
    for (const [contentType, name] of [
      ["application/json", "Plain"],
      ["application/json; charset=utf-8", "Charset"],
      ["Application/JSON;charset=UTF-8", "Shouting"],
    ] as const) {
      const res = await post(contentType, JSON.stringify({ name }));
      expect({ contentType, status: res.status }).toEqual({ contentType, status: 201 });
      expect(((await res.json()) as { name: string }).name).toBe(name);
    }
  });

  /**
   * POSTs to /api/devices, writing `chunk` up to `total` bytes as fast as the server reads; stops
   * writing when the response arrives. Returns its status and the bytes written by then.
   */
  function streamBody(headers: Record<string, string>, total: number) {
    return new Promise<{ status: number; written: number }>((resolve, reject) => {
      const url = new URL("/api/devices", web.url);
      let written = 0;
      let answered = false;
      const req = httpRequest(
        { host: "127.0.0.1", port: url.port, path: url.pathname, method: "POST", headers },
        (res) => {
          answered = true;
          res.resume();
          resolve({ status: res.statusCode ?? 0, written });
          req.destroy();
        },
      );
      req.on("error", (error) => {
        if (!answered) reject(error);
      });
      const chunk = Buffer.alloc(64 * 1024, " ");
      const pump = () => {
        while (!answered && written < total) {
          written += chunk.length;
          if (!req.write(chunk)) return void req.once("drain", pump);
        }
        if (!answered) req.end();
      };
      pump();
    });
  }

  it("a body past the limit is refused while it is still arriving, the rest unread", async () => {
    const total = 32 * 1024 * 1024;
    const headers = { origin: web.url, cookie: alice.cookie, "content-type": "application/json" };
    const chunked = await streamBody(headers, total);
    expect(chunked.status).toBe(413);
    expect(chunked.written).toBeLessThan(total / 2);
    // A declared length over the limit is refused before any of the body is read.
    const declared = await Promise.race([
      streamBody({ ...headers, "content-length": String(total) }, 1024),
      new Promise<{ status: number }>((r) => setTimeout(() => r({ status: 0 }), 10_000)),
    ]);
    expect(declared.status).toBe(413);
  }, 30_000);

  it("Better Auth's own routes are untouched", async () => {
    const user = await signUp(web.url, "Bob");
    expect(user.cookie).toMatch(/session_token=/);
  });
});

describe("metrics named like Object.prototype's keys", () => {
  it("a device page with readings and rules on __proto__, constructor and toString renders", async () => {
    const device = await api<{ id: string }>(web.url, alice, "POST", "/api/devices", { name: "Proto" });
    expect(device.status).toBe(201);
    const names = ["__proto__", "constructor", "toString", "valueOf", "temperature"];
    for (const [i, metric] of names.entries()) {
      await insertReadings(
        database.current,
        device.body.id,
        metric,
        new Date(Date.now() - 600_000),
        5,
        60,
        (k) => k + i,
      );
    }
    // Rules on some only: a metric without one must not pick up Object.prototype's member.
    for (const metric of ["__proto__", "toString", "temperature"]) {
      const rule = await api(web.url, alice, "POST", `/api/devices/${device.body.id}/rules`, {
        metric,
        comparator: "gt",
        threshold: 100,
      });
      expect({ metric, status: rule.status }).toEqual({ metric, status: 201 });
    }
    const res = await fetch(`${web.url}/dashboard/devices/${device.body.id}`, {
      headers: { cookie: alice.cookie },
    });
    const html = await res.text();
    expect(res.status).toBe(200);
    for (const metric of names) expect(html).toContain(metric);
  });
});
