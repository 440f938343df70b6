// AUTH_PROVIDER=clerk against the production server, with a test Clerk instance standing in for
// Clerk's servers (packages/devstack/src/test/clerk.ts): session tokens verified with
// CLERK_JWT_KEY, the signed webhook, the just-in-time user row, deleting a user, and nothing sent
// off this machine (a network guard preloaded into the server records any attempt).

import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "@pulseboard/devstack/paths";
import { useTestDatabase } from "@pulseboard/devstack/test";
import { createClerkTestInstance } from "@pulseboard/devstack/test/clerk";
import { reapAll, spawnProcess } from "@pulseboard/devstack/test/process";
import { type RunningWeb, startWeb, WEB_DIR } from "@pulseboard/devstack/test/web";
import { purgeDeletedDevices } from "@pulseboard/schema/queries/device-purge";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, insertReadings } from "./helpers";

const database = useTestDatabase();
const clerk = createClerkTestInstance();
const APP_ORIGIN = "https://app.pulseboard.test";
const NETWORK_GUARD = `${REPO_ROOT}packages/devstack/src/test/network-guard.mjs`;
const scratch = mkdtempSync(join(tmpdir(), "pulseboard-clerk-"));
const guardLog = join(scratch, "network.log");
let web: RunningWeb;

const now = () => Math.floor(Date.now() / 1000);
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${web.url}${path}`, { headers, redirect: "manual" });

async function userRow(id: string) {
  const [row] = await database.current.sql<{ email: string | null; name: string }[]>`
    select email, name from "user" where id = ${id}`;
  return row ?? null;
}

beforeAll(async () => {
  writeFileSync(guardLog, "");
  web = await startWeb(
    database.current,
    clerk.env({
      CLERK_AUTHORIZED_PARTIES: APP_ORIGIN,
      NODE_OPTIONS: `--import ${NETWORK_GUARD}`,
      NETWORK_GUARD_LOG: guardLog,
    }),
  );
}, 300_000);

afterAll(async () => {
  await web?.stop();
  await reapAll();
});

describe("session tokens", () => {
  const userId = `user_tokens${now()}`;
  const valid = () => clerk.token({ sub: userId, azp: APP_ORIGIN });

  it("a valid token, as a bearer header or as Clerk's cookies, is a session", async () => {
    expect((await get("/api/devices", bearer(valid()))).status).toBe(200);
    expect((await get("/api/devices", { cookie: clerk.cookie(valid()) })).status).toBe(200);
  });

  it("refuses expired, not yet valid, wrongly signed and tampered tokens, and a wrong azp", async () => {
    const { privateKey: otherKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const [header, payload, signature] = valid().split(".");
    const claims = JSON.parse(Buffer.from(payload ?? "", "base64url").toString());
    const tampered = `${header}.${Buffer.from(JSON.stringify({ ...claims, sub: "user_someone_else" })).toString("base64url")}.${signature}`;
    const refused = {
      expired: clerk.token({
        sub: userId,
        azp: APP_ORIGIN,
        iat: now() - 600,
        nbf: now() - 600,
        exp: now() - 60,
      }),
      "not yet valid": clerk.token({ sub: userId, azp: APP_ORIGIN, nbf: now() + 60 }),
      "another key": clerk.token({ sub: userId, azp: APP_ORIGIN }, otherKey),
      tampered,
      "another azp": clerk.token({ sub: userId, azp: "https://evil.example" }),
      "not a JWT": "definitely-not-a-token",
    };
    for (const [what, token] of Object.entries(refused)) {
      const res = await get("/api/devices", bearer(token));
      expect({ what, status: res.status }).toEqual({ what, status: 401 });
      expect(await res.json()).toEqual({ error: "sign in first" });
    }
  });

  it("a cookie older than the client's last sign-in (__client_uat) is no session for the API", async () => {
    const token = valid();
    expect((await get("/api/devices", { cookie: clerk.cookie(token, now() + 30) })).status).toBe(401);
  });

  it("pages: signed in they render from the local row; signed out the proxy sends to /sign-in", async () => {
    const page = await get("/dashboard", { cookie: clerk.cookie(valid()), accept: "text/html" });
    expect(page.status).toBe(200);
    const out = await get("/dashboard/devices");
    expect(out.status).toBe(307);
    const location = new URL(out.headers.get("location") ?? "", web.url);
    expect([location.pathname, location.searchParams.get("next")]).toEqual([
      "/sign-in",
      "/dashboard/devices",
    ]);
  });

  it("the sign-in page carries the publishable key read at runtime (one build for both providers)", async () => {
    const html = await (await get("/sign-in", { accept: "text/html" })).text();
    expect(html).toContain(clerk.publishableKey);
  });

  it("Better Auth's endpoints are not there", async () => {
    expect((await get("/api/auth/get-session")).status).toBe(404);
    const res = await fetch(`${web.url}/api/auth/sign-up/email`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: web.url },
      body: JSON.stringify({ email: "x@example.com", password: "correct horse battery", name: "x" }),
    });
    expect(res.status).toBe(404);
  });
});

describe("the webhook", () => {
  const userEvent = (type: "user.created" | "user.updated", input: Parameters<typeof clerk.userData>[0]) => ({
    type,
    object: "event",
    data: clerk.userData(input),
  });

  it("applies created → updated → deleted, and answers the same event twice without a change", async () => {
    const id = `user_flow${now()}`;
    const createdEvent = userEvent("user.created", {
      id,
      email: "Flow@Example.com",
      firstName: "Flo",
      createdAt: 1_000,
    });
    expect(await (await clerk.send(web.url, createdEvent)).json()).toEqual({ outcome: "applied" });
    expect(await (await clerk.send(web.url, createdEvent)).json()).toEqual({ outcome: "stale" });
    expect(await userRow(id)).toEqual({ email: "flow@example.com", name: "Flo" });
    const updatedEvent = userEvent("user.updated", {
      id,
      email: "flow@example.com",
      firstName: "Flo",
      lastName: "Rida",
      createdAt: 1_000,
      updatedAt: 2_000,
    });
    expect((await clerk.send(web.url, updatedEvent)).status).toBe(200);
    expect(await userRow(id)).toEqual({ email: "flow@example.com", name: "Flo Rida" });
    const gone = await clerk.send(web.url, {
      type: "user.deleted",
      object: "event",
      data: { id, deleted: true },
    });
    expect(await gone.json()).toEqual({ outcome: "deleted" });
    expect(await userRow(id)).toBeNull();
    // A late update does not bring the user back.
    expect(await (await clerk.send(web.url, updatedEvent)).json()).toEqual({ outcome: "deleted_before" });
    expect(await userRow(id)).toBeNull();
  });

  it("converges on the newest state from 20 concurrent deliveries in shuffled order", async () => {
    const id = `user_burst${now()}`;
    const events = Array.from({ length: 20 }, (_, i) =>
      userEvent(i === 0 ? "user.created" : "user.updated", {
        id,
        email: `v${i}@burst.example`,
        firstName: `v${i}`,
        createdAt: 1_000,
        updatedAt: 1_000 + i,
      }),
    ).sort(() => Math.random() - 0.5);
    const statuses = await Promise.all(
      events.map(async (event) => (await clerk.send(web.url, event)).status),
    );
    expect(new Set(statuses)).toEqual(new Set([200]));
    expect(await userRow(id)).toEqual({ email: "v19@burst.example", name: "v19" });
  });

  it("refuses a delivery that is not signed right, with nothing changed", async () => {
    const id = `user_forged${now()}`;
    const event = userEvent("user.created", { id, email: "forged@example.com", createdAt: 1_000 });
    const send = (body: string, headers: Record<string, string>) =>
      fetch(`${web.url}/api/webhooks/clerk`, { method: "POST", headers, body });
    const good = clerk.delivery(event);
    const { "svix-signature": _, ...unsigned } = good.headers;
    expect((await send(good.body, unsigned)).status).toBe(400);
    expect((await send(good.body.replace("forged@", "other@"), good.headers)).status).toBe(401);
    const wrongSecret = clerk.delivery(event, {
      secret: `whsec_${Buffer.from("not the secret").toString("base64")}`,
    });
    expect((await send(wrongSecret.body, wrongSecret.headers)).status).toBe(401);
    const stale = clerk.delivery(event, { at: now() - 600 });
    expect((await send(stale.body, stale.headers)).status).toBe(401);
    expect(await userRow(id)).toBeNull();
    // Signed, but an event this endpoint does not handle: acknowledged, ignored.
    const other = await clerk.send(web.url, {
      type: "session.created",
      object: "event",
      data: { id: "sess_1" },
    });
    expect([other.status, await other.json()]).toEqual([200, { ignored: "session.created" }]);
    // Signed, but not a user: a 400 naming the problem.
    const malformed = await clerk.send(web.url, { type: "user.created", object: "event", data: { id } });
    expect(malformed.status).toBe(400);
    expect((await malformed.json()).error).toMatch(/^malformed user.created event: /);
  });

  it("a first request before user.created makes the row; the webhook then completes it", async () => {
    const id = `user_early${now()}`;
    const token = clerk.token({ sub: id, azp: APP_ORIGIN });
    expect((await get("/api/devices", bearer(token))).status).toBe(200);
    expect(await userRow(id)).toEqual({ email: null, name: "" });
    const created = userEvent("user.created", {
      id,
      email: "early@example.com",
      firstName: "Early",
      createdAt: 1_000,
    });
    expect(await (await clerk.send(web.url, created)).json()).toEqual({ outcome: "applied" });
    expect(await userRow(id)).toEqual({ email: "early@example.com", name: "Early" });
  });
});

describe("deleting a user", () => {
  it("answers at once; the user's devices, rules, plans and logs go, and the readings are purged", async () => {
    const user = await clerk.signUp(web.url, "Doomed User");
    // This server accepts tokens for APP_ORIGIN only (CLERK_AUTHORIZED_PARTIES).
    const authorized = { ...user, cookie: clerk.cookie(clerk.token({ sub: user.id, azp: APP_ORIGIN })) };
    const device = (await api(web.url, authorized, "POST", "/api/devices", { name: "Doomed" })).body;
    expect(device.id).toBeTruthy();
    const rule = await api(web.url, authorized, "POST", `/api/devices/${device.id}/rules`, {
      metric: "temperature",
      aggregate: "avg",
      comparator: "gt",
      threshold: 30,
      windowSeconds: 60,
    });
    expect(rule.status).toBe(201);
    const exercise = (
      await api(web.url, authorized, "POST", "/api/exercises", {
        name: `Doomed press ${now()}`,
        muscleGroup: "chest",
      })
    ).body;
    const plan = await api(web.url, authorized, "POST", "/api/plans", {
      name: "Doomed plan",
      exercises: [{ exerciseId: exercise.id, targetSets: 3, targetReps: 5 }],
    });
    expect(plan.status).toBe(201);
    const workout = await api(web.url, authorized, "POST", "/api/workouts", {
      performedAt: new Date().toISOString(),
      sets: [{ exerciseId: exercise.id, setNumber: 1, reps: 5, weightKg: 60 }],
    });
    expect(workout.status).toBe(201);
    await insertReadings(
      database.current,
      device.id,
      "temperature",
      new Date(Date.now() - 120_000),
      100,
      1,
      (i) => i,
    );

    const began = performance.now();
    const res = await clerk.send(web.url, {
      type: "user.deleted",
      object: "event",
      data: { id: user.id, deleted: true },
    });
    expect(await res.json()).toEqual({ outcome: "deleted" });
    expect(performance.now() - began).toBeLessThan(5_000);

    // The still-valid token is no session any more, and nothing of theirs is left to read.
    expect((await api(web.url, authorized, "GET", "/api/devices")).status).toBe(401);
    const counts = await database.current.sql<{ t: string; n: number }[]>`
      select 'devices' as t, count(*)::int as n from devices where owner_id = ${user.id}
      union all select 'rules', count(*)::int from alert_rules where device_id = ${device.id}
      union all select 'plans', count(*)::int from workout_plans where owner_id = ${user.id}
      union all select 'logs', count(*)::int from workout_logs where user_id = ${user.id}
      union all select 'user', count(*)::int from "user" where id = ${user.id}`;
    expect(Object.fromEntries(counts.map((c) => [c.t, c.n]))).toEqual({
      devices: 0,
      rules: 0,
      plans: 0,
      logs: 0,
      user: 0,
    });
    await purgeDeletedDevices(database.current.db, { graceSeconds: 0 });
    const [readings] = await database.current.sql<{ n: number }[]>`
      select count(*)::int as n from sensor_readings where device_id = ${device.id}`;
    expect(readings?.n).toBe(0);
  });
});

describe("configuration", () => {
  it("a missing Clerk variable stops the app with one clear line", async () => {
    const proc = spawnProcess(process.execPath, ["--import", "tsx", "server.ts", "--port", "1"], {
      cwd: WEB_DIR,
      env: {
        PATH: process.env.PATH,
        NODE_ENV: "production",
        DATABASE_URL: database.current.url,
        AUTH_PROVIDER: "clerk",
        NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: clerk.publishableKey,
        CLERK_SECRET_KEY: clerk.secretKey,
      },
    });
    const { code } = await proc.exited;
    expect(code).toBe(1);
    expect(proc.stderr()).toMatch(/CLERK_WEBHOOK_SIGNING_SECRET is required with AUTH_PROVIDER=clerk/);
  });

  it("the seed's CLERK_WEBHOOK_SECRET serves as the signing secret", async () => {
    const seedNamed = await startWeb(
      database.current,
      clerk.env({ CLERK_WEBHOOK_SIGNING_SECRET: "", CLERK_WEBHOOK_SECRET: clerk.webhookSecret }),
    );
    try {
      const id = `user_seedsecret${now()}`;
      const res = await clerk.send(seedNamed.url, {
        type: "user.created",
        object: "event",
        data: clerk.userData({ id, email: "seed@example.com", createdAt: 1_000 }),
      });
      expect(await res.json()).toEqual({ outcome: "applied" });
      expect(await userRow(id)).toEqual({ email: "seed@example.com", name: "" });
    } finally {
      await seedNamed.stop();
    }
  });
});

describe("the network", () => {
  it("nothing left this machine while the tests above ran", () => {
    expect(readFileSync(guardLog, "utf8")).toBe("");
  });

  it("the guard does see Clerk's calls: without CLERK_JWT_KEY, verifying a token reaches for Clerk", async () => {
    const log = join(scratch, "network-without-jwt-key.log");
    writeFileSync(log, "");
    const env = clerk.env({ NODE_OPTIONS: `--import ${NETWORK_GUARD}`, NETWORK_GUARD_LOG: log });
    const { CLERK_JWT_KEY: _, ...withoutKey } = env;
    const other = await startWeb(database.current, { ...withoutKey, CLERK_JWT_KEY: "" });
    try {
      const res = await fetch(`${other.url}/api/devices`, {
        headers: bearer(clerk.token({ sub: "user_x" })),
      });
      expect(res.status).toBe(401);
      expect(readFileSync(log, "utf8")).toMatch(/clerk/);
    } finally {
      await other.stop();
    }
  });
});
