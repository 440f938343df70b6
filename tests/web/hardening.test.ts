// Hardening over real HTTP against `next start` (issue 12): anti-framing and sniffing headers on
// every response.
import { useTestDatabase } from "@pulseboard/devstack/test";
import { reapAll } from "@pulseboard/devstack/test/process";
import { type RunningWeb, signUp, startWeb, type TestUser } from "@pulseboard/devstack/test/web";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

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
