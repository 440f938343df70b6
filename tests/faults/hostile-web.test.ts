// A catalogue of hostile requests to the web API (docs/api.md), made by a signed-in owner against
// another owner's ids and with bodies built to hurt: each gets its documented answer, and the rows
// of every owner are counted before and after to prove it changed nothing. Embedded run only.
import { useTestDatabase } from "@pulseboard/devstack/test";
import { reapAll } from "@pulseboard/devstack/test/process";
import { type RunningWeb, signUp, startWeb, type TestUser } from "@pulseboard/devstack/test/web";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api } from "../web/helpers";
import { embeddedRun, figures } from "./support";

const database = useTestDatabase();
let web: RunningWeb;
let mallory: TestUser;
let victim: TestUser;
let victimDevice: { id: string };
let victimRule: { id: string };
let victimPlan: { id: string };
const answered: Record<string, number> = {};

interface Snapshot {
  devices: number;
  rules: number;
  plans: number;
  names: string;
}

async function snapshot(): Promise<Snapshot> {
  const [row] = await database.current.sql<Snapshot[]>`
    select (select count(*) from devices)::int as devices,
           (select count(*) from alert_rules)::int as rules,
           (select count(*) from workout_plans)::int as plans,
           (select string_agg(name, ',' order by name) from devices) as names`;
  if (!row) throw new Error("no counts");
  return row;
}

/** A raw request as `user`: the body as given, with `contentType` when given. */
async function raw(
  user: TestUser,
  method: string,
  path: string,
  body?: string | Uint8Array<ArrayBuffer>,
  contentType = "application/json",
) {
  const res = await fetch(`${web.url}${path}`, {
    method,
    headers: {
      origin: web.url,
      cookie: user.cookie,
      ...(body === undefined ? {} : { "content-type": contentType }),
    },
    body,
    redirect: "manual",
  });
  const text = await res.text();
  return { status: res.status, text };
}

const KIB = 1024;
const NUL = /^request must not contain NUL characters \(\\u0000\)$/;
const validRule = {
  metric: "temperature",
  comparator: "gt",
  threshold: 30,
  windowSeconds: 60,
  aggregate: "avg",
};

describe.skipIf(!embeddedRun)("faults: hostile requests to the web API", () => {
  beforeAll(async () => {
    web = await startWeb(database.current);
    mallory = await signUp(web.url, "Mallory");
    victim = await signUp(web.url, "Victim");
    victimDevice = (await api(web.url, victim, "POST", "/api/devices", { name: "Victim's sensor" })).body;
    victimRule = (await api(web.url, victim, "POST", `/api/devices/${victimDevice.id}/rules`, validRule))
      .body;
    victimPlan = (await api(web.url, victim, "POST", "/api/plans", { name: "Victim's plan", exercises: [] }))
      .body;
    expect(victimDevice.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(victimRule.id).toMatch(/^[0-9a-f-]{36}$/);
  }, 300_000);
  afterAll(async () => {
    await web?.stop();
    await reapAll();
    figures("hostile web requests answered", answered);
  });

  const day = "from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z";
  const foreign: { name: string; method: string; path: () => string; body?: unknown; error: string }[] = [
    {
      name: "GET another owner's device",
      method: "GET",
      path: () => `/api/devices/${victimDevice.id}`,
      error: "device not found",
    },
    {
      name: "DELETE another owner's device",
      method: "DELETE",
      path: () => `/api/devices/${victimDevice.id}`,
      error: "device not found",
    },
    {
      name: "its readings",
      method: "GET",
      path: () => `/api/devices/${victimDevice.id}/readings?metric=temperature&${day}`,
      error: "device not found",
    },
    {
      name: "its rules",
      method: "GET",
      path: () => `/api/devices/${victimDevice.id}/rules`,
      error: "device not found",
    },
    {
      name: "a rule on it",
      method: "POST",
      path: () => `/api/devices/${victimDevice.id}/rules`,
      body: validRule,
      error: "device not found",
    },
    {
      name: "DELETE another owner's rule",
      method: "DELETE",
      path: () => `/api/rules/${victimRule.id}`,
      error: "rule not found",
    },
    {
      name: "GET another owner's plan",
      method: "GET",
      path: () => `/api/plans/${victimPlan.id}`,
      error: "plan not found",
    },
    {
      name: "PATCH another owner's plan",
      method: "PATCH",
      path: () => `/api/plans/${victimPlan.id}`,
      body: { name: "mine now" },
      error: "plan not found",
    },
    {
      name: "DELETE another owner's plan",
      method: "DELETE",
      path: () => `/api/plans/${victimPlan.id}`,
      error: "plan not found",
    },
    {
      name: "an id that is not a UUID",
      method: "DELETE",
      path: () => "/api/devices/1%20or%201=1",
      error: "device not found",
    },
    {
      name: "an id with a NUL byte",
      method: "GET",
      path: () => `/api/devices/${victimDevice.id}%00`,
      error: "device not found",
    },
    {
      name: "an id in unicode",
      method: "GET",
      path: () => "/api/devices/%E2%80%AEdi-ecived",
      error: "device not found",
    },
  ];
  it.each(foreign)("$name: 404 $error, nothing changed", async ({ method, path, body, error }) => {
    const before = await snapshot();
    const res = await api(web.url, mallory, method, path(), body);
    answered[res.status] = (answered[res.status] ?? 0) + 1;
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error });
    expect(await snapshot()).toEqual(before);
  });

  const deep = `${"[".repeat(10_000)}${"]".repeat(10_000)}`;
  const deepObject = `${'{"a":'.repeat(10_000)}1${"}".repeat(10_000)}`;
  const bodies: {
    name: string;
    path: string;
    body: () => string | Uint8Array<ArrayBuffer>;
    contentType?: string;
    status: number;
    error: RegExp;
  }[] = [
    {
      name: "10,000 nested arrays",
      path: "/api/devices",
      body: () => deep,
      status: 400,
      error: /^invalid device: /,
    },
    {
      name: "10,000 nested objects",
      path: "/api/devices",
      body: () => deepObject,
      status: 400,
      error: /^invalid device: /,
    },
    {
      name: "a body over 64 KiB",
      path: "/api/devices",
      body: () => JSON.stringify({ name: "x".repeat(64 * KIB) }),
      status: 413,
      error: /^request body is over 64 KiB$/,
    },
    {
      name: "a 5 MB body",
      path: "/api/devices",
      body: () => new Uint8Array(5 * 1024 * KIB).fill(0x20),
      status: 413,
      error: /^request body is over 64 KiB$/,
    },
    {
      name: "not declared JSON",
      path: "/api/devices",
      body: () => '{"name": "x"}',
      contentType: "text/plain",
      status: 415,
      error: /^request body must be sent as Content-Type: application\/json$/,
    },
    {
      name: "not JSON",
      path: "/api/devices",
      body: () => '{"name": ',
      status: 400,
      error: /^request body must be JSON$/,
    },
    {
      name: "a raw NUL byte",
      path: "/api/devices",
      body: () => '{"name": "a"}\u0000',
      status: 400,
      error: /^request body must be JSON$/,
    },
    {
      name: "a NUL byte in a device name",
      path: "/api/devices",
      body: () => '{"name": "a\\u0000b"}',
      status: 400,
      error: NUL,
    },
    {
      name: "a NUL byte in a key",
      path: "/api/devices",
      body: () => '{"name": "a", "x\\u0000": 1}',
      status: 400,
      error: NUL,
    },
    {
      name: "a NUL byte in a plan name",
      path: "/api/plans",
      body: () => '{"name": "a\\u0000", "exercises": []}',
      status: 400,
      error: NUL,
    },
    {
      name: "a __proto__ key",
      path: "/api/devices",
      body: () => '{"name": "a", "__proto__": {"isAdmin": true}}',
      status: 400,
      error: /^invalid device: /,
    },
    {
      name: "a name of 101 characters",
      path: "/api/devices",
      body: () => JSON.stringify({ name: "x".repeat(101) }),
      status: 400,
      error: /^invalid device: /,
    },
    {
      name: "a huge array as the name",
      path: "/api/devices",
      body: () => JSON.stringify({ name: Array(5000).fill("x") }),
      status: 400,
      error: /^invalid device: /,
    },
    {
      name: "a unicode metric name in a rule",
      path: "/api/devices/OWN/rules",
      body: () => JSON.stringify({ ...validRule, metric: "températüre" }),
      status: 400,
      error: /^invalid rule: metric: /,
    },
    {
      name: "a NUL byte in a rule's metric",
      path: "/api/devices/OWN/rules",
      body: () => JSON.stringify({ ...validRule, metric: "t\u0000" }),
      status: 400,
      error: NUL,
    },
    {
      name: "a threshold of 1e999",
      path: "/api/devices/OWN/rules",
      body: () => JSON.stringify(validRule).replace('"threshold":30', '"threshold":1e999'),
      status: 400,
      error: /^invalid rule: threshold: /,
    },
    {
      name: "a huge array of rules",
      path: "/api/devices/OWN/rules",
      body: () => JSON.stringify(Array(500).fill(validRule)),
      status: 400,
      error: /^invalid rule: /,
    },
  ];
  let ownDevice: { id: string } | undefined;
  const queries: { name: string; path: string; error: RegExp }[] = [
    { name: "a NUL byte in an exercise search", path: "/api/exercises?q=bench%00", error: NUL },
    { name: "a NUL byte in an alerts filter", path: "/api/alerts?metric=t%00", error: NUL },
    {
      name: "a NUL byte in a readings metric",
      path: `/api/devices/OWN/readings?metric=t%00&${day}`,
      error: NUL,
    },
    {
      name: "a unicode readings metric",
      path: `/api/devices/OWN/readings?metric=%F0%9F%94%A5&${day}`,
      error: /^invalid query: metric: /,
    },
  ];
  it.each(queries)("GET with $name: 400, nothing changed", async ({ path, error }) => {
    ownDevice ??= (await api(web.url, mallory, "POST", "/api/devices", { name: "Mallory's own" })).body;
    const before = await snapshot();
    const res = await raw(mallory, "GET", path.replace("OWN", ownDevice?.id ?? ""));
    answered[res.status] = (answered[res.status] ?? 0) + 1;
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text).error).toMatch(error);
    expect(await snapshot()).toEqual(before);
  });

  it.each(bodies)("$name: $status, nothing changed", async ({ path, body, contentType, status, error }) => {
    ownDevice ??= (await api(web.url, mallory, "POST", "/api/devices", { name: "Mallory's own" })).body;
    const before = await snapshot();
    const res = await raw(mallory, "POST", path.replace("OWN", ownDevice?.id ?? ""), body(), contentType);
    answered[res.status] = (answered[res.status] ?? 0) + 1;
    expect(res.status).toBe(status);
    expect(JSON.parse(res.text).error).toMatch(error);
    expect(await snapshot()).toEqual(before);
  });

  it("the victim's device, rule and plan are all still there, unchanged", async () => {
    expect((await api(web.url, victim, "GET", `/api/devices/${victimDevice.id}`)).body).toMatchObject({
      id: victimDevice.id,
      name: "Victim's sensor",
    });
    expect((await api(web.url, victim, "GET", `/api/devices/${victimDevice.id}/rules`)).body).toMatchObject([
      { id: victimRule.id, metric: "temperature" },
    ]);
    expect((await api(web.url, victim, "GET", `/api/plans/${victimPlan.id}`)).body).toMatchObject({
      name: "Victim's plan",
    });
  });
});
