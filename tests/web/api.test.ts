// The JSON API over real HTTP against the production server: every route's happy path, validation errors,
// 401 without a session, 404 for another owner's ids, and the device key shown exactly once; the
// whole suite once under each identity provider (Better Auth, Clerk with its test instance).
// Charts are read through the test replica (a streaming standby in CI, else the database itself).
import { useTestDatabase } from "@pulseboard/devstack/test";
import { reapAll } from "@pulseboard/devstack/test/process";
import { useTestReplica } from "@pulseboard/devstack/test/replica";
import {
  clientAddress,
  type RunningWeb,
  startWeb,
  type TestUser,
  testIdentities,
} from "@pulseboard/devstack/test/web";
import { purgeDeletedDevices } from "@pulseboard/schema/queries/device-purge";
import { deviceKeyDigest } from "@pulseboard/schema/telemetry";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, insertReadings } from "./helpers";

const database = useTestDatabase();
const replica = useTestReplica(database);

afterAll(async () => {
  await reapAll();
});

describe.each(testIdentities())("under $name", (identity) => {
  let web: RunningWeb;
  let alice: TestUser;
  let bob: TestUser;
  let aliceDevice: { id: string; name: string; deviceKey: string };
  let aliceRule: { id: string };

  // biome-ignore lint/suspicious/noExplicitAny: response bodies are checked by the assertions
  const call = <T = any>(user: TestUser | null, method: string, path: string, body?: unknown) =>
    api<T>(web.url, user, method, path, body);

  beforeAll(async () => {
    web = await startWeb(database.current, { DATABASE_URL_REPLICA: replica.current.url, ...identity.env });
    alice = await identity.signUp(web.url, "Alice");
    bob = await identity.signUp(web.url, "Bob");
  }, 300_000);

  afterAll(async () => {
    await web?.stop();
  });

  describe("without a session", () => {
    it("every API route answers 401 with an error body", async () => {
      const id = "00000000-0000-4000-8000-000000000000";
      const routes: [string, string][] = [
        ["GET", "/api/devices"],
        ["POST", "/api/devices"],
        ["GET", `/api/devices/${id}`],
        ["DELETE", `/api/devices/${id}`],
        ["GET", `/api/devices/${id}/readings?metric=t`],
        ["GET", `/api/devices/${id}/rules`],
        ["POST", `/api/devices/${id}/rules`],
        ["DELETE", `/api/rules/${id}`],
        ["PUT", `/api/rules/${id}`],
        ["PATCH", `/api/devices/${id}`],
        ["POST", `/api/devices/${id}/key`],
        ["GET", "/api/metric-display"],
        ["PUT", "/api/metric-display"],
        ["GET", "/api/alerts"],
        ["GET", `/api/alerts/${id}`],
        ["GET", "/api/live"],
      ];
      for (const [method, path] of routes) {
        const res = await call(
          null,
          method,
          path,
          ["POST", "PUT", "PATCH"].includes(method) ? { name: "x" } : undefined,
        );
        expect({ method, path, status: res.status }).toEqual({ method, path, status: 401 });
        expect(res.body).toEqual({ error: "sign in first" });
      }
    });

    it("a forged session cookie is not a session", async () => {
      const res = await call({ ...alice, cookie: identity.forgedCookie }, "GET", "/api/devices");
      expect(res.status).toBe(401);
    });
  });

  describe("devices", () => {
    it("creation validates the body", async () => {
      for (const body of [
        {},
        { name: "" },
        { name: "   " },
        { name: "x".repeat(101) },
        { name: "a", extra: 1 },
        "not json",
      ]) {
        const res = await call(alice, "POST", "/api/devices", body);
        expect(res.status).toBe(400);
        expect(typeof res.body.error).toBe("string");
      }
      expect((await call(alice, "GET", "/api/devices")).body).toEqual([]);
    });

    it("creation returns the key once; it is stored only as a digest", async () => {
      const res = await call(alice, "POST", "/api/devices", { name: "Greenhouse" });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ name: "Greenhouse", status: "offline" });
      expect(res.body.deviceKey).toMatch(/^dk_[A-Za-z0-9_-]{22,}$/);
      aliceDevice = res.body;

      const [stored] = await database.current.sql<{ device_key: string }[]>`
      select device_key from devices where id = ${aliceDevice.id}`;
      expect(stored?.device_key).toBe(deviceKeyDigest(aliceDevice.deviceKey));

      const list = await call(alice, "GET", "/api/devices");
      const one = await call(alice, "GET", `/api/devices/${aliceDevice.id}`);
      expect(list.status).toBe(200);
      expect(list.body.map((d: { id: string }) => d.id)).toEqual([aliceDevice.id]);
      expect(one.status).toBe(200);
      expect(one.body).toMatchObject({ id: aliceDevice.id, name: "Greenhouse", metrics: [] });
      for (const text of [list.text, one.text]) {
        expect(text).not.toContain(aliceDevice.deviceKey);
        expect(text).not.toContain(stored?.device_key);
        expect(text).not.toContain("deviceKey");
      }
    });

    it("another owner's device, or an id that is not one, answers 404", async () => {
      expect((await call(bob, "GET", "/api/devices")).body).toEqual([]);
      for (const [method, path] of [
        ["GET", `/api/devices/${aliceDevice.id}`],
        ["DELETE", `/api/devices/${aliceDevice.id}`],
        [
          "GET",
          `/api/devices/${aliceDevice.id}/readings?metric=temperature&from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z`,
        ],
        ["GET", `/api/devices/${aliceDevice.id}/rules`],
        ["GET", "/api/devices/not-a-uuid"],
      ] as const) {
        const res = await call(bob, method, path);
        expect({ path, status: res.status }).toEqual({ path, status: 404 });
        expect(res.body).toEqual({ error: "device not found" });
      }
      const rule = await call(bob, "POST", `/api/devices/${aliceDevice.id}/rules`, {
        metric: "temperature",
        comparator: "gt",
        threshold: 1,
      });
      expect(rule.status).toBe(404);
      // Still there for its owner.
      expect((await call(alice, "GET", `/api/devices/${aliceDevice.id}`)).status).toBe(200);
    });
  });

  describe("readings", () => {
    const from = new Date("2026-03-01T00:00:00Z");

    beforeAll(async () => {
      // 2 hours, one reading every 10 s: 720 readings, values 0..719.
      await insertReadings(database.current, aliceDevice.id, "temperature", from, 720, 10, (i) => i);
      await replica.current.waitForReplay();
    });

    it("returns min/avg/max/count per bucket, equal to a direct SQL computation", async () => {
      const to = new Date(from.getTime() + 2 * 3600_000);
      const res = await call(
        alice,
        "GET",
        `/api/devices/${aliceDevice.id}/readings?metric=temperature&from=${from.toISOString()}&to=${to.toISOString()}&bucket=600`,
      );
      expect(res.status).toBe(200);
      expect(res.body.metric).toBe("temperature");
      expect(res.body.bucketSeconds).toBe(600);
      const expected = await database.current.sql<
        { t: string; min: number; avg: number; max: number; count: number }[]
      >`
      select to_char(date_bin('600 seconds', recorded_at, timestamptz '1970-01-01Z') at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as t,
             min(value)::float8 as min, avg(value)::float8 as avg, max(value)::float8 as max, count(*)::int as count
      from sensor_readings where device_id = ${aliceDevice.id} and metric = 'temperature'
      group by 1 order by 1`;
      expect(res.body.points).toHaveLength(12);
      expect(res.body.points).toEqual(expected.map((r) => ({ ...r, avg: expect.closeTo(r.avg, 9) })));
      expect(res.body.points[0]).toEqual({
        t: "2026-03-01T00:00:00Z",
        min: 0,
        avg: 29.5,
        max: 59,
        count: 60,
      });
    });

    it("chooses the bucket so a chart stays within 500 points", async () => {
      const to = new Date(from.getTime() + 30 * 86_400_000);
      const res = await call(
        alice,
        "GET",
        `/api/devices/${aliceDevice.id}/readings?metric=temperature&from=${from.toISOString()}&to=${to.toISOString()}&bucket=1`,
      );
      expect(res.status).toBe(200);
      expect(res.body.bucketSeconds).toBe(7200);
      expect(res.body.points).toEqual([
        { t: "2026-03-01T00:00:00Z", min: 0, max: 719, avg: 359.5, count: 720 },
      ]);
    });

    it("validates the query", async () => {
      const base = `/api/devices/${aliceDevice.id}/readings`;
      for (const query of [
        "",
        "?metric=temperature",
        "?metric=bad metric&from=2026-03-01T00:00:00Z&to=2026-03-02T00:00:00Z",
        "?metric=temperature&from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z",
        "?metric=temperature&from=yesterday&to=2026-03-01T00:00:00Z",
        "?metric=temperature&from=2026-03-01T00:00:00Z&to=2026-03-02T00:00:00Z&bucket=-5",
      ]) {
        const res = await call(alice, "GET", base + query);
        expect({ query, status: res.status }).toEqual({ query, status: 400 });
        expect(res.body.error).toMatch(/^invalid query: /);
      }
    });

    it("the device lists its metrics with their latest value", async () => {
      const res = await call(alice, "GET", `/api/devices/${aliceDevice.id}`);
      expect(res.body.metrics).toEqual([
        { metric: "temperature", value: 719, recordedAt: "2026-03-01T01:59:50.000Z" },
      ]);
    });
  });

  describe("rules", () => {
    it("validates, creates, lists", async () => {
      const path = `/api/devices/${aliceDevice.id}/rules`;
      for (const body of [
        {},
        { metric: "temperature", comparator: "above", threshold: 30 },
        { metric: "temperature", comparator: "gt" },
        { metric: "temperature", comparator: "gt", threshold: "30" },
        { metric: "temperature", comparator: "gt", threshold: 30, windowSeconds: 0 },
        { metric: "temperature", comparator: "gt", threshold: 30, aggregate: "median" },
        { metric: "temperature", comparator: "gt", threshold: 30, recoveryThreshold: 40 },
      ]) {
        const res = await call(alice, "POST", path, body);
        expect({ body, status: res.status }).toEqual({ body, status: 400 });
        expect(res.body.error).toMatch(/^invalid rule: /);
      }
      const created = await call(alice, "POST", path, {
        metric: "temperature",
        comparator: "gt",
        threshold: 30,
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        deviceId: aliceDevice.id,
        metric: "temperature",
        comparator: "gt",
        threshold: 30,
        windowSeconds: 60,
        aggregate: "avg",
        noData: "keep",
      });
      aliceRule = created.body;
      const list = await call(alice, "GET", path);
      expect(list.body.map((r: { id: string }) => r.id)).toEqual([aliceRule.id]);
    });

    it("another owner cannot delete it (404); the owner can (204, then 404)", async () => {
      const extra = await call(alice, "POST", `/api/devices/${aliceDevice.id}/rules`, {
        metric: "temperature",
        comparator: "lt",
        threshold: -10,
        windowSeconds: 300,
        aggregate: "min",
      });
      expect(extra.status).toBe(201);
      expect((await call(bob, "DELETE", `/api/rules/${extra.body.id}`)).status).toBe(404);
      expect((await call(bob, "DELETE", "/api/rules/nope")).status).toBe(404);
      expect((await call(alice, "DELETE", `/api/rules/${extra.body.id}`)).status).toBe(204);
      expect((await call(alice, "DELETE", `/api/rules/${extra.body.id}`)).status).toBe(404);
      const list = await call(alice, "GET", `/api/devices/${aliceDevice.id}/rules`);
      expect(list.body.map((r: { id: string }) => r.id)).toEqual([aliceRule.id]);
    });
  });

  describe("changing devices and rules", () => {
    it("renames a device, sets its offline timeout and tags; validates; another owner's is not found", async () => {
      const path = `/api/devices/${aliceDevice.id}`;
      for (const body of [
        {},
        { name: "" },
        { silenceSeconds: 5 },
        { silenceSeconds: 2_592_001 },
        { silenceSeconds: 60.5 },
        { tags: ["ok", "no/slash"] },
        { tags: Array.from({ length: 21 }, (_, i) => `t${i}`) },
        { deviceKey: "dk_x" },
      ]) {
        const res = await call(alice, "PATCH", path, body);
        expect({ body, status: res.status }).toEqual({ body, status: 400 });
        expect(res.body.error).toMatch(/^invalid device: /);
      }
      const changed = await call(alice, "PATCH", path, {
        name: "Greenhouse north",
        silenceSeconds: 900,
        tags: ["greenhouse", "North", "north"],
      });
      expect(changed.status).toBe(200);
      expect(changed.body).toMatchObject({
        id: aliceDevice.id,
        name: "Greenhouse north",
        silenceSeconds: 900,
        // Case-insensitively distinct.
        tags: ["greenhouse", "north"],
      });
      // One field at a time leaves the others.
      expect((await call(alice, "PATCH", path, { name: aliceDevice.name })).body).toMatchObject({
        name: aliceDevice.name,
        silenceSeconds: 900,
        tags: ["greenhouse", "north"],
      });
      const [row] = await database.current.sql<{ silence_seconds: number }[]>`
        select silence_seconds from devices where id = ${aliceDevice.id}`;
      expect(row?.silence_seconds).toBe(900);
      const byTag = await call(alice, "GET", "/api/devices");
      expect(byTag.body.find((d: { id: string }) => d.id === aliceDevice.id)?.tags).toEqual([
        "greenhouse",
        "north",
      ]);
      expect((await call(bob, "PATCH", path, { name: "mine" })).status).toBe(404);
      expect((await call(alice, "GET", path)).body.name).toBe(aliceDevice.name);
    });

    it("replaces a device's key: shown once, the old one kept for the grace asked, the owner's only", async () => {
      const created = await call(alice, "POST", "/api/devices", { name: "Rotating" });
      const path = `/api/devices/${created.body.id}/key`;
      for (const body of [{}, { graceSeconds: -1 }, { graceSeconds: 31 * 86_400 }, { graceSeconds: "1h" }]) {
        const res = await call(alice, "POST", path, body);
        expect({ body, status: res.status }).toEqual({ body, status: 400 });
        expect(res.body.error).toMatch(/^invalid key rotation: /);
      }
      expect((await call(bob, "POST", path, { graceSeconds: 0 })).status).toBe(404);
      const rotated = await call(alice, "POST", path, { graceSeconds: 3600 });
      expect(rotated.status).toBe(200);
      expect(rotated.body.deviceKey).toMatch(/^dk_[A-Za-z0-9_-]{32}$/);
      expect(rotated.body.deviceKey).not.toBe(created.body.deviceKey);
      const until = Date.parse(rotated.body.previousKeyExpiresAt);
      expect(until - Date.now()).toBeGreaterThan(3590_000);
      expect(until - Date.now()).toBeLessThan(3610_000);
      const [row] = await database.current.sql<{ device_key: string; previous_key: string }[]>`
        select device_key, previous_key from devices where id = ${created.body.id}`;
      expect(row).toEqual({
        device_key: deviceKeyDigest(rotated.body.deviceKey),
        previous_key: deviceKeyDigest(created.body.deviceKey),
      });
      // The device itself says until when the old key works, never a key.
      const device = await call(alice, "GET", `/api/devices/${created.body.id}`);
      expect(Date.parse(device.body.previousKeyExpiresAt)).toBe(until);
      expect(device.text).not.toContain("dk_");
      const now = await call(alice, "POST", path, { graceSeconds: 0 });
      expect(now.body.previousKeyExpiresAt).toBeNull();
      expect(
        (await call(alice, "GET", `/api/devices/${created.body.id}`)).body.previousKeyExpiresAt,
      ).toBeNull();
    });

    it("edits a rule with every option; warns, without refusing, of a metric the device never reported", async () => {
      await insertReadings(
        database.current,
        aliceDevice.id,
        "temperature",
        new Date(Date.now() - 60_000),
        2,
        10,
        () => 20,
      );
      const path = `/api/devices/${aliceDevice.id}/rules`;
      const typo = await call(alice, "POST", path, {
        metric: "tempreature",
        comparator: "gt",
        threshold: 30,
      });
      expect(typo.status).toBe(201);
      expect(typo.body.warnings).toEqual([expect.stringContaining('"tempreature"')]);
      // An alert of the rule as it is now: it keeps this condition through the edit below.
      const [opened] = await database.current.sql<{ id: string }[]>`
        insert into alerts (rule_id, device_id, status, resolved_at, value)
        values (${typo.body.id}, ${aliceDevice.id}, 'resolved', now(), 31) returning id`;
      const full = {
        name: "Too hot",
        metric: "temperature",
        comparator: "gte",
        threshold: 35,
        windowSeconds: 600,
        aggregate: "max",
        recoveryThreshold: 32,
        noData: "fire",
      };
      const edited = await call(alice, "PUT", `/api/rules/${typo.body.id}`, full);
      expect(edited.status).toBe(200);
      expect(edited.body).toMatchObject({
        ...full,
        id: typo.body.id,
        deviceId: aliceDevice.id,
        warnings: [],
      });
      const listed = await call(alice, "GET", path);
      expect(listed.body.find((r: { id: string }) => r.id === typo.body.id)).toMatchObject(full);
      // The alert still says what it fired on; the rule's new name is shown with it.
      expect((await call(alice, "GET", `/api/alerts/${opened?.id}`)).body).toMatchObject({
        ruleName: "Too hot",
        metric: "tempreature",
        comparator: "gt",
        threshold: 30,
        aggregate: "avg",
        windowSeconds: 60,
      });
      // Edited back to the unknown metric: the warning again.
      const back = await call(alice, "PUT", `/api/rules/${typo.body.id}`, { ...full, metric: "tempreature" });
      expect(back.body.warnings).toHaveLength(1);
      for (const body of [
        { ...full, recoveryThreshold: 40 },
        { ...full, noData: "ignore" },
        { ...full, name: "x".repeat(101) },
        { ...full, metric: "bad name" },
      ]) {
        const res = await call(alice, "PUT", `/api/rules/${typo.body.id}`, body);
        expect({ body, status: res.status }).toEqual({ body, status: 400 });
      }
      expect((await call(bob, "PUT", `/api/rules/${typo.body.id}`, full)).status).toBe(404);
      expect((await call(alice, "PUT", "/api/rules/nope", full)).status).toBe(404);
      expect((await call(alice, "DELETE", `/api/rules/${typo.body.id}`)).status).toBe(204);
    });

    it("keeps each owner's metric names and units apart; null puts the default back", async () => {
      expect((await call(alice, "GET", "/api/metric-display")).body).toEqual([]);
      for (const body of [
        { metric: "bad name", displayName: "x", unit: null },
        { metric: "t", displayName: "x".repeat(65), unit: null },
        { metric: "t", displayName: null, unit: "x".repeat(17) },
        { metric: "t" },
      ]) {
        const res = await call(alice, "PUT", "/api/metric-display", body);
        expect({ body, status: res.status }).toEqual({ body, status: 400 });
      }
      const set = await call(alice, "PUT", "/api/metric-display", {
        metric: "temperature",
        displayName: "Air temperature",
        unit: "°F",
      });
      expect(set.body).toMatchObject({ metric: "temperature", displayName: "Air temperature", unit: "°F" });
      expect((await call(alice, "GET", "/api/metric-display")).body).toMatchObject([
        { metric: "temperature", displayName: "Air temperature", unit: "°F" },
      ]);
      expect((await call(bob, "GET", "/api/metric-display")).body).toEqual([]);
      await call(alice, "PUT", "/api/metric-display", {
        metric: "temperature",
        displayName: null,
        unit: null,
      });
      expect((await call(alice, "GET", "/api/metric-display")).body).toEqual([]);
    });
  });

  describe("alerts", () => {
    let alertId: string;

    beforeAll(async () => {
      const [row] = await database.current.sql<{ id: string }[]>`
      insert into alerts (rule_id, device_id, status, value, window_start, window_end)
      values (${aliceRule.id}, ${aliceDevice.id}, 'firing', 42.5, now() - interval '1 minute', now())
      returning id`;
      alertId = row?.id as string;
    });

    it("lists the owner's alerts, filtered by status", async () => {
      const firing = await call(alice, "GET", "/api/alerts?status=firing");
      expect(firing.status).toBe(200);
      expect(firing.body).toHaveLength(1);
      expect(firing.body[0]).toMatchObject({
        id: alertId,
        status: "firing",
        value: 42.5,
        deviceId: aliceDevice.id,
        deviceName: "Greenhouse",
        ruleId: aliceRule.id,
        metric: "temperature",
        comparator: "gt",
        threshold: 30,
      });
      expect((await call(alice, "GET", "/api/alerts?status=resolved")).body).toEqual([]);
      expect((await call(alice, "GET", `/api/alerts?deviceId=${aliceDevice.id}`)).body).toHaveLength(1);
      expect((await call(alice, "GET", "/api/alerts?status=open")).status).toBe(400);
      expect((await call(alice, "GET", `/api/alerts/${alertId}`)).body).toMatchObject({ id: alertId });
    });

    it("another owner sees none of them and gets 404 for the id", async () => {
      expect((await call(bob, "GET", "/api/alerts")).body).toEqual([]);
      expect((await call(bob, "GET", `/api/alerts?deviceId=${aliceDevice.id}`)).body).toEqual([]);
      const res = await call(bob, "GET", `/api/alerts/${alertId}`);
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ error: "alert not found" });
    });
  });

  describe("pages", () => {
    it("the proxy bounces visitors without a session cookie from /dashboard and /settings", async () => {
      for (const path of ["/dashboard", "/dashboard/devices", "/settings"]) {
        const res = await fetch(`${web.url}${path}`, { redirect: "manual" });
        expect([307, 308]).toContain(res.status);
        expect(new URL(res.headers.get("location") ?? "", web.url).pathname).toBe("/sign-in");
      }
    });

    it.runIf(identity.name === "better-auth")(
      "a stale cookie gets past the proxy but the page itself sends it to /sign-in",
      async () => {
        const res = await fetch(`${web.url}/dashboard`, {
          redirect: "manual",
          headers: { cookie: "__Secure-better-auth.session_token=stale.value" },
        });
        expect([303, 307, 308]).toContain(res.status);
        expect(new URL(res.headers.get("location") ?? "", web.url).pathname).toBe("/sign-in");
      },
    );

    it("another owner's device page is a 404 that shows nothing of it", async () => {
      const res = await fetch(`${web.url}/dashboard/devices/${aliceDevice.id}`, {
        headers: { cookie: bob.cookie },
      });
      expect(res.status).toBe(404);
      const html = await res.text();
      expect(html).toContain("Device not found");
      expect(html).not.toContain("Greenhouse");
      const own = await fetch(`${web.url}/dashboard/devices/${aliceDevice.id}`, {
        headers: { cookie: alice.cookie },
      });
      expect(own.status).toBe(200);
      expect(await own.text()).toContain("Greenhouse");
    });
  });

  // Better Auth's own endpoints (under Clerk they are not there: tests/web/clerk.test.ts).
  describe.runIf(identity.name === "better-auth")("auth", () => {
    it("rate-limits sign-in attempts per client address", async () => {
      const address = clientAddress();
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) {
        const res = await fetch(`${web.url}/api/auth/sign-in/email`, {
          method: "POST",
          headers: { "content-type": "application/json", origin: web.url, "x-forwarded-for": address },
          body: JSON.stringify({ email: alice.email, password: "wrong password" }),
        });
        statuses.push(res.status);
      }
      expect(statuses.slice(0, 3).every((s) => s === 401)).toBe(true);
      expect(statuses[3]).toBe(429);
    });

    it("session cookies follow the scheme the app is served on: plain over http, __Secure- over https", async () => {
      const signIn = (base: string, origin: string) =>
        fetch(`${base}/api/auth/sign-in/email`, {
          method: "POST",
          headers: { "content-type": "application/json", origin, "x-forwarded-for": clientAddress() },
          body: JSON.stringify({ email: alice.email, password: alice.password }),
        });
      // A production build served on plain http (as `pnpm start` serves it) still signs in: a
      // browser drops __Secure- cookies over http.
      const overHttp = await signIn(web.url, web.url);
      expect(overHttp.status).toBe(200);
      const plain = overHttp.headers.getSetCookie().find((c) => c.includes("session_token"));
      expect(plain).toMatch(/^better-auth\.session_token=/);
      expect(plain).toMatch(/; HttpOnly/i);
      expect(plain).not.toMatch(/; Secure/i);

      const https = await startWeb(database.current, { BETTER_AUTH_URL: "https://pulseboard.example.com" });
      try {
        const overHttps = await signIn(`http://127.0.0.1:${https.port}`, "https://pulseboard.example.com");
        expect(overHttps.status).toBe(200);
        const secure = overHttps.headers.getSetCookie().find((c) => c.includes("session_token"));
        expect(secure).toMatch(/^__Secure-better-auth\.session_token=/);
        expect(secure).toMatch(/; Secure/i);
        expect(secure).toMatch(/; HttpOnly/i);
      } finally {
        await https.stop();
      }
    }, 90_000);

    it("an untrusted origin cannot sign in", async () => {
      const res = await fetch(`${web.url}/api/auth/sign-in/email`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          origin: "https://evil.example.com",
          "x-forwarded-for": clientAddress(),
          cookie: alice.cookie,
        },
        body: JSON.stringify({ email: alice.email, password: alice.password }),
      });
      expect(res.status).toBe(403);
    });
  });

  describe("deleting a device", () => {
    it("removes it and everything under it (its readings through the background purge)", async () => {
      await insertReadings(
        database.current,
        aliceDevice.id,
        "temperature",
        new Date(Date.now() - 60_000),
        30,
        1,
        (i) => i,
      );
      expect((await call(alice, "DELETE", `/api/devices/${aliceDevice.id}`)).status).toBe(204);
      expect((await call(alice, "GET", `/api/devices/${aliceDevice.id}`)).status).toBe(404);
      expect((await call(alice, "GET", "/api/alerts")).body).toEqual([]);
      const readings = () => database.current.sql<{ n: number }[]>`
      select count(*)::int as n from sensor_readings where device_id = ${aliceDevice.id}`;
      // Queued, not yet purged (the alerter's sweep does that): no read shows them meanwhile.
      expect((await readings())[0]?.n).toBeGreaterThan(0);
      const range = `from=${new Date(Date.now() - 3600_000).toISOString()}&to=${new Date().toISOString()}`;
      const chart = await call(
        alice,
        "GET",
        `/api/devices/${aliceDevice.id}/readings?metric=temperature&${range}`,
      );
      expect(chart.status).toBe(404);
      expect(await purgeDeletedDevices(database.current.db, { graceSeconds: 0 })).toMatchObject({
        finished: [aliceDevice.id],
      });
      expect((await readings())[0]?.n).toBe(0);
    });
  });
});
