// The owner's long lists over real HTTP: alerts, workouts and devices in keyset pages (`cursor`,
// `limit`, the next page in `Link: <…>; rel="next"`, the body the contract's array), their
// filters, and the time zone a month is cut in. Pagination is the same under either identity
// provider (the session is the only difference, tested in api.test.ts): Better Auth here.
import { useTestDatabase } from "@pulseboard/devstack/test";
import { reapAll } from "@pulseboard/devstack/test/process";
import { betterAuthIdentity, type RunningWeb, startWeb, type TestUser } from "@pulseboard/devstack/test/web";
import { seedExerciseCatalog } from "@pulseboard/schema/seed";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiResult, api } from "./helpers";

const database = useTestDatabase();

let web: RunningWeb;
let alice: TestUser;
let bob: TestUser;
let deviceId: string;

// biome-ignore lint/suspicious/noExplicitAny: response bodies are checked by the assertions
const call = <T = any>(user: TestUser | null, method: string, path: string, body?: unknown) =>
  api<T>(web.url, user, method, path, body);

/** Follows `Link: rel="next"` from `path`; every page's ids, and the pages' sizes. */
async function walk(user: TestUser, path: string): Promise<{ ids: string[]; sizes: number[] }> {
  const ids: string[] = [];
  const sizes: number[] = [];
  let next: string | null = path;
  while (next) {
    const res: ApiResult<{ id: string }[]> = await call<{ id: string }[]>(user, "GET", next);
    expect(res.status).toBe(200);
    expect(Array.isArray(res.body)).toBe(true);
    ids.push(...res.body.map((row) => row.id));
    sizes.push(res.body.length);
    const link: string | null = res.headers.get("link");
    next = link ? (/^<([^>]+)>; rel="next"$/.exec(link)?.[1] ?? null) : null;
    if (link) expect(next).not.toBeNull();
    expect(sizes.length).toBeLessThan(50);
  }
  return { ids, sizes };
}

beforeAll(async () => {
  await seedExerciseCatalog(database.current.db);
  web = await startWeb(database.current, betterAuthIdentity.env);
  alice = await betterAuthIdentity.signUp(web.url, "Alice");
  bob = await betterAuthIdentity.signUp(web.url, "Bob");
  deviceId = (await call(alice, "POST", "/api/devices", { name: "Greenhouse" })).body.id;
  const rule = await call(alice, "POST", `/api/devices/${deviceId}/rules`, {
    metric: "temperature",
    comparator: "gt",
    threshold: 30,
    aggregate: "avg",
    windowSeconds: 60,
  });
  expect(rule.status).toBe(201);
  // Seven alerts, two firing at the same instant (a tie the id must break), newest resolved.
  await database.current.sql`
    insert into alerts (rule_id, device_id, status, triggered_at, resolved_at, value)
    select ${rule.body.id}, ${deviceId}, case when i = 7 then 'firing' else 'resolved' end,
           timestamptz '2026-11-20T10:00:00.123456Z' + make_interval(hours => case when i in (3, 4) then 3 else i end),
           case when i = 7 then null else timestamptz '2026-11-21T00:00:00Z' end, 31
    from generate_series(1, 7) i`;
}, 300_000);

afterAll(async () => {
  await web?.stop();
  await reapAll();
});

describe("alerts", () => {
  it("pages through every alert once, newest first, ties included", async () => {
    const expected = await database.current.sql<{ id: string }[]>`
      select id from alerts where device_id = ${deviceId} order by triggered_at desc, id desc`;
    const { ids, sizes } = await walk(alice, "/api/alerts?limit=3");
    expect(ids).toEqual(expected.map((r) => r.id));
    expect(sizes).toEqual([3, 3, 1]);
    // The first page is the contract's array, newest first, and says where the next one is.
    const first = await call(alice, "GET", "/api/alerts?limit=3&status=resolved");
    expect(first.headers.get("link")).toMatch(
      /^<\/api\/alerts\?limit=3&status=resolved&cursor=[\w-]+>; rel="next"$/,
    );
  });

  it("filters by status, device and time, within the pages", async () => {
    expect((await walk(alice, "/api/alerts?status=resolved&limit=2")).ids).toHaveLength(6);
    expect((await walk(alice, `/api/alerts?status=firing&deviceId=${deviceId}`)).ids).toHaveLength(1);
    const window = await walk(alice, "/api/alerts?from=2026-11-20T12:00:00Z&to=2026-11-20T15:00:00Z&limit=1");
    // Fired at 12:00 (i=2), and 13:00 twice (i=3, 4): from is inclusive, to exclusive.
    expect(window.ids).toHaveLength(3);
    expect(
      (await call(alice, "GET", "/api/alerts?from=2026-11-21T00:00:00Z&to=2026-11-20T00:00:00Z")).status,
    ).toBe(400);
  });

  it("refuses a cursor it did not write and a limit out of range, naming the parameter", async () => {
    const bad = await call(alice, "GET", "/api/alerts?cursor=bm90LWEtY3Vyc29y");
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: "cursor is not one this list wrote", field: "cursor" });
    for (const limit of ["0", "101", "ten"]) {
      const res = await call(alice, "GET", `/api/alerts?limit=${limit}`);
      expect(res.status).toBe(400);
      expect(res.body.issues[0].path).toBe("limit");
    }
  });

  it("another owner's cursor shows them nothing of the owner's", async () => {
    const first = await call(alice, "GET", "/api/alerts?limit=2");
    const next = /^<([^>]+)>/.exec(first.headers.get("link") ?? "")?.[1] ?? "";
    expect(next).not.toBe("");
    const res = await call(bob, "GET", next);
    expect(res.status).toBe(200);
    expect(res.body).toEqual([]);
  });
});

describe("devices", () => {
  it("pages through the owner's devices, and by tag", async () => {
    for (const name of ["Cellar", "Attic", "Garage", "Porch"]) {
      expect((await call(alice, "POST", "/api/devices", { name })).status).toBe(201);
    }
    await call(alice, "PATCH", `/api/devices/${deviceId}`, { tags: ["outdoor"] });
    const { ids, sizes } = await walk(alice, "/api/devices?limit=2");
    const expected = await database.current.sql<{ id: string }[]>`
      select d.id from devices d join "user" u on u.id = d.owner_id where u.name = 'Alice'
      order by d.created_at desc, d.id desc`;
    expect(ids).toEqual(expected.map((r) => r.id));
    expect(sizes).toEqual([2, 2, 1]);
    expect((await walk(alice, "/api/devices?tag=Outdoor")).ids).toEqual([deviceId]);
    expect((await walk(bob, "/api/devices")).ids).toEqual([]);
  });
});

describe("workouts", () => {
  it("a month is the owner's month: the zone set in settings cuts it", async () => {
    // 07:00 on Dec 1 in Tokyo is 22:00 on Nov 30 in UTC.
    const times = ["2026-11-30T22:00:00Z", "2026-11-15T09:00:00Z", "2026-12-03T09:00:00Z"];
    const [exercise] = (await call<{ id: string }[]>(alice, "GET", "/api/exercises")).body;
    for (const performedAt of times) {
      const res = await call(alice, "POST", "/api/workouts", {
        performedAt,
        sets: [{ exerciseId: exercise?.id, setNumber: 1, reps: 5, weightKg: 60 }],
      });
      expect(res.status, res.text).toBe(201);
    }
    expect((await call(alice, "GET", "/api/settings")).body).toEqual({ timeZone: "UTC", stored: false });
    expect((await walk(alice, "/api/workouts?month=2026-12")).ids).toHaveLength(1);
    expect((await walk(alice, "/api/workouts?month=2026-11")).ids).toHaveLength(2);

    const set = await call(alice, "PUT", "/api/settings", { timeZone: "Asia/Tokyo" });
    expect(set.body).toEqual({ timeZone: "Asia/Tokyo", stored: true });
    expect((await walk(alice, "/api/workouts?month=2026-12")).ids).toHaveLength(2);
    expect((await walk(alice, "/api/workouts?month=2026-11&limit=1")).ids).toHaveLength(1);
    // The browser's detection does not replace a zone the person chose.
    const detected = await call(alice, "PUT", "/api/settings", { timeZone: "Europe/Paris", detected: true });
    expect(detected.body.timeZone).toBe("Asia/Tokyo");

    const all = await walk(alice, "/api/workouts?limit=2");
    expect(all.sizes).toEqual([2, 1]);
    expect((await walk(bob, "/api/workouts")).ids).toEqual([]);
  });

  it("refuses a month or a zone that is not one", async () => {
    const month = await call(alice, "GET", "/api/workouts?month=2026-13");
    expect(month.status).toBe(400);
    expect(month.body.issues[0]).toEqual({ path: "month", message: "month must be a month such as 2026-12" });
    const zone = await call(alice, "PUT", "/api/settings", { timeZone: "Mars/Olympus" });
    expect(zone.status).toBe(400);
    expect(zone.body.issues[0].path).toBe("timeZone");
    expect((await call(alice, "GET", "/api/settings")).body.timeZone).toBe("Asia/Tokyo");
  });
});
