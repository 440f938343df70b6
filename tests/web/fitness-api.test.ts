// The workout API over real HTTP against the production server: the shared catalog and its uniqueness,
// plans, whole-session logging in one transaction, 404 across owners, plan delete keeping logs,
// user delete keeping the catalog, the heart-rate summary against a direct SQL computation, and
// the CSV export.
import { useTestDatabase } from "@pulseboard/devstack/test";
import { reapAll } from "@pulseboard/devstack/test/process";
import { type RunningWeb, signUp, startWeb, type TestUser } from "@pulseboard/devstack/test/web";
import { seedExerciseCatalog } from "@pulseboard/schema/seed";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, insertReadings } from "./helpers";

const database = useTestDatabase();
let web: RunningWeb;
let alice: TestUser;
let bob: TestUser;
let bench: { id: string; name: string };
let squat: { id: string };
let plan: { id: string };

// biome-ignore lint/suspicious/noExplicitAny: response bodies are checked by the assertions
const call = <T = any>(user: TestUser | null, method: string, path: string, body?: unknown) =>
  api<T>(web.url, user, method, path, body);

beforeAll(async () => {
  await seedExerciseCatalog(database.current.db);
  web = await startWeb(database.current);
  alice = await signUp(web.url, "Alice");
  bob = await signUp(web.url, "Bob");
  const all = await call(alice, "GET", "/api/exercises");
  bench = all.body.find((e: { name: string }) => e.name === "Barbell Bench Press");
  squat = all.body.find((e: { name: string }) => e.name === "Barbell Back Squat");
  expect(bench && squat).toBeTruthy();
}, 300_000);

afterAll(async () => {
  await web?.stop();
  await reapAll();
});

describe("catalog", () => {
  it("is seeded with at least 60 exercises, searchable by name and muscle group", async () => {
    expect((await call(alice, "GET", "/api/exercises")).body.length).toBeGreaterThanOrEqual(60);
    const found = await call(alice, "GET", "/api/exercises?q=bench");
    expect(found.body.map((e: { name: string }) => e.name)).toContain("Barbell Bench Press");
    expect(found.body.every((e: { name: string }) => /bench/i.test(e.name))).toBe(true);
    const legs = await call(alice, "GET", "/api/exercises?muscleGroup=legs");
    expect(legs.body.length).toBeGreaterThan(0);
    expect(legs.body.every((e: { muscleGroup: string }) => e.muscleGroup === "legs")).toBe(true);
    expect((await call(alice, "GET", "/api/exercises?muscleGroup=elbows")).status).toBe(400);
    expect((await call(null, "GET", "/api/exercises")).status).toBe(401);
  });

  it("adds an exercise; a duplicate name, ignoring case and spaces, is a clear 409", async () => {
    const created = await call(alice, "POST", "/api/exercises", {
      name: "  Zercher   Squat ",
      muscleGroup: "legs",
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: "Zercher Squat", muscleGroup: "legs", createdBy: alice.id });
    for (const name of ["zercher squat", "ZERCHER  SQUAT", "barbell bench press"]) {
      const dup = await call(bob, "POST", "/api/exercises", { name });
      expect({ name, status: dup.status }).toEqual({ name, status: 409 });
      expect(dup.body.error).toMatch(/^an exercise named ".+" already exists$/);
    }
    expect((await call(alice, "POST", "/api/exercises", { name: "" })).status).toBe(400);
    expect((await call(alice, "POST", "/api/exercises", { name: "X", muscleGroup: "elbows" })).status).toBe(
      400,
    );
  });
});

describe("plans", () => {
  it("creates a plan with its exercises in order, lists, renames", async () => {
    const created = await call(alice, "POST", "/api/plans", {
      name: "Strength A",
      exercises: [
        { exerciseId: squat.id, targetSets: 5, targetReps: 5 },
        { exerciseId: bench.id, targetSets: 3, targetReps: 8 },
      ],
    });
    expect(created.status).toBe(201);
    plan = created.body;
    expect(
      created.body.exercises.map(
        (e: { name: string; position: number; targetSets: number; targetReps: number }) => [
          e.position,
          e.name,
          e.targetSets,
          e.targetReps,
        ],
      ),
    ).toEqual([
      [1, "Barbell Back Squat", 5, 5],
      [2, "Barbell Bench Press", 3, 8],
    ]);
    expect((await call(alice, "GET", "/api/plans")).body.map((p: { id: string }) => p.id)).toEqual([plan.id]);
    const renamed = await call(alice, "PATCH", `/api/plans/${plan.id}`, { name: "Strength A (heavy)" });
    expect(renamed.status).toBe(200);
    expect(renamed.body.name).toBe("Strength A (heavy)");
  });

  it("validates, and another user's plan answers 404", async () => {
    expect((await call(alice, "POST", "/api/plans", { name: "" })).status).toBe(400);
    const unknown = await call(alice, "POST", "/api/plans", {
      name: "Bad",
      exercises: [{ exerciseId: "00000000-0000-4000-8000-000000000000" }],
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatch(/^unknown exercise/);
    expect((await call(alice, "GET", "/api/plans")).body).toHaveLength(1);
    expect((await call(bob, "GET", "/api/plans")).body).toEqual([]);
    expect((await call(bob, "GET", `/api/plans/${plan.id}`)).status).toBe(404);
    expect((await call(bob, "PATCH", `/api/plans/${plan.id}`, { name: "mine" })).status).toBe(404);
    expect((await call(bob, "DELETE", `/api/plans/${plan.id}`)).status).toBe(404);
    expect((await call(alice, "GET", `/api/plans/${plan.id}`)).body.name).toBe("Strength A (heavy)");
  });
});

describe("workouts", () => {
  let workoutId: string;
  let deviceId: string;
  const start = new Date("2026-11-20T18:00:00Z");
  const end = new Date("2026-11-20T18:45:00Z");

  beforeAll(async () => {
    deviceId = (await call(alice, "POST", "/api/devices", { name: "Wrist" })).body.id;
    // A wearable: heart rate every 5 s from 17:55 to 18:50, climbing 100 -> 209 bpm, with a 2-minute gap.
    await insertReadings(
      database.current,
      deviceId,
      "heart_rate",
      new Date("2026-11-20T17:55:00Z"),
      660,
      5,
      (i) => 100 + (i % 110),
    );
    await database.current.sql`
      delete from sensor_readings where device_id = ${deviceId}
        and recorded_at >= '2026-11-20T18:20:00Z' and recorded_at < '2026-11-20T18:22:00Z'`;
  });

  it("stores a whole session in one request and reads it back", async () => {
    const res = await call(alice, "POST", "/api/workouts", {
      performedAt: start.toISOString(),
      endedAt: end.toISOString(),
      planId: plan.id,
      deviceId,
      sets: [
        { exerciseId: squat.id, setNumber: 1, reps: 5, weightKg: 100 },
        { exerciseId: squat.id, setNumber: 2, reps: 5, weightKg: 102.5 },
        { exerciseId: bench.id, setNumber: 1, reps: 8, weightKg: 60 },
        { exerciseId: bench.id, setNumber: 2, reps: 8 },
      ],
    });
    expect(res.status).toBe(201);
    workoutId = res.body.id;
    expect(res.body).toMatchObject({
      planId: plan.id,
      deviceId,
      setCount: 4,
      volumeKg: 5 * 100 + 5 * 102.5 + 8 * 60,
    });
    const list = await call(alice, "GET", "/api/workouts");
    expect(list.body).toEqual([
      expect.objectContaining({ id: workoutId, planName: "Strength A (heavy)", sets: 4, volumeKg: 1492.5 }),
    ]);
  });

  it("rejects a bad session whole: nothing is stored", async () => {
    const before = await database.current.sql<{ n: number }[]>`select count(*)::int as n from log_sets`;
    for (const body of [
      { performedAt: start.toISOString(), sets: [] },
      {
        performedAt: end.toISOString(),
        endedAt: start.toISOString(),
        sets: [{ exerciseId: bench.id, setNumber: 1, reps: 5 }],
      },
      { performedAt: "yesterday", sets: [{ exerciseId: bench.id, setNumber: 1, reps: 5 }] },
      { performedAt: start.toISOString(), sets: [{ exerciseId: bench.id, setNumber: 1, reps: -1 }] },
      {
        performedAt: start.toISOString(),
        sets: [
          { exerciseId: bench.id, setNumber: 1, reps: 5 },
          { exerciseId: bench.id, setNumber: 1, reps: 6 },
        ],
      },
    ]) {
      expect((await call(alice, "POST", "/api/workouts", body)).status).toBe(400);
    }
    const unknown = await call(alice, "POST", "/api/workouts", {
      performedAt: start.toISOString(),
      sets: [
        { exerciseId: bench.id, setNumber: 1, reps: 5, weightKg: 50 },
        { exerciseId: "00000000-0000-4000-8000-000000000000", setNumber: 1, reps: 5 },
      ],
    });
    expect(unknown.status).toBe(400);
    const after = await database.current.sql<{ n: number }[]>`select count(*)::int as n from log_sets`;
    expect(after[0]?.n).toBe(before[0]?.n);
  });

  it("another user's workout, plan or device answers 404", async () => {
    expect((await call(bob, "GET", `/api/workouts/${workoutId}`)).status).toBe(404);
    expect((await call(bob, "DELETE", `/api/workouts/${workoutId}`)).status).toBe(404);
    expect((await call(bob, "GET", "/api/workouts")).body).toEqual([]);
    const set = [{ exerciseId: bench.id, setNumber: 1, reps: 5 }];
    const withPlan = await call(bob, "POST", "/api/workouts", {
      performedAt: start.toISOString(),
      planId: plan.id,
      sets: set,
    });
    expect(withPlan.status).toBe(404);
    expect(withPlan.body).toEqual({ error: "plan not found" });
    const withDevice = await call(bob, "POST", "/api/workouts", {
      performedAt: start.toISOString(),
      deviceId,
      sets: set,
    });
    expect(withDevice.status).toBe(404);
    expect(withDevice.body).toEqual({ error: "device not found" });
    const page = await fetch(`${web.url}/dashboard/workouts/${workoutId}`, {
      headers: { cookie: bob.cookie },
    });
    expect(page.status).toBe(404);
  });

  it("the heart-rate summary over the session equals a direct SQL computation", async () => {
    const res = await call(alice, "GET", `/api/workouts/${workoutId}`);
    expect(res.status).toBe(200);
    const hr = res.body.heartRate;
    expect(hr.metric).toBe("heart_rate");
    expect(hr.maxHeartRate).toBe(190);
    const mins: number[] = hr.zones.map((z: { minBpm: number }) => z.minBpm);
    // Independent formulation: each reading lasts until the next one (or the session's end),
    // at most 30 s; its zone is the highest whose lower bound it reaches.
    const [direct] = await database.current.sql<{ n: number; avg: number; max: number; zones: number[] }[]>`
      with w as (
        select r.value::float8 as v, r.recorded_at as t from sensor_readings r
        where r.device_id = ${deviceId} and r.metric = 'heart_rate'
          and r.recorded_at >= ${start.toISOString()}::timestamptz and r.recorded_at < ${end.toISOString()}::timestamptz
      ),
      d as (
        select v, least(30, extract(epoch from coalesce((select min(t2.t) from w t2 where t2.t > w.t), ${end.toISOString()}::timestamptz) - t))::float8 as s
        from w
      )
      select (select count(*)::int from d) as n, (select avg(v) from d) as avg, (select max(v) from d) as max,
             array[
               (select coalesce(sum(s), 0) from d where v >= ${mins[0] as number} and v < ${mins[1] as number}),
               (select coalesce(sum(s), 0) from d where v >= ${mins[1] as number} and v < ${mins[2] as number}),
               (select coalesce(sum(s), 0) from d where v >= ${mins[2] as number} and v < ${mins[3] as number}),
               (select coalesce(sum(s), 0) from d where v >= ${mins[3] as number} and v < ${mins[4] as number}),
               (select coalesce(sum(s), 0) from d where v >= ${mins[4] as number})
             ]::float8[] as zones`;
    expect(hr.readings).toBe(direct?.n);
    expect(hr.readings).toBe(45 * 12 - 24);
    expect(hr.avg).toBeCloseTo(direct?.avg as number, 9);
    expect(hr.max).toBe(direct?.max);
    expect(hr.zones.map((z: { seconds: number }) => z.seconds)).toEqual(direct?.zones);
    // The 2-minute gap counts 30 s, not 120.
    const total = hr.zones.reduce((a: number, z: { seconds: number }) => a + z.seconds, 0);
    expect(total).toBeLessThanOrEqual(45 * 60 - 90);
  });

  it("exports every set as CSV in the preferred unit", async () => {
    const res = await fetch(`${web.url}/api/export/sets`, { headers: { cookie: alice.cookie } });
    expect(res.headers.get("content-type")).toMatch(/^text\/csv/);
    const lines = (await res.text()).trim().split("\n");
    expect(lines[0]).toBe("date,exercise,set,reps,weight,unit");
    expect(lines.slice(1)).toEqual([
      "2026-11-20T18:00:00.000Z,Barbell Back Squat,1,5,100,kg",
      "2026-11-20T18:00:00.000Z,Barbell Back Squat,2,5,102.5,kg",
      "2026-11-20T18:00:00.000Z,Barbell Bench Press,1,8,60,kg",
      "2026-11-20T18:00:00.000Z,Barbell Bench Press,2,8,,kg",
    ]);
    const bobs = await fetch(`${web.url}/api/export/sets`, { headers: { cookie: bob.cookie } });
    expect((await bobs.text()).trim()).toBe("date,exercise,set,reps,weight,unit");
  });

  it("deleting the plan keeps its logs, with the plan unset", async () => {
    expect((await call(alice, "DELETE", `/api/plans/${plan.id}`)).status).toBe(204);
    const workout = await call(alice, "GET", `/api/workouts/${workoutId}`);
    expect(workout.status).toBe(200);
    expect(workout.body).toMatchObject({ planId: null, planName: null, setCount: 4 });
  });

  it("deleting the user removes their plans and logs, not the shared catalog", async () => {
    await call(alice, "POST", "/api/plans", { name: "Leftover", exercises: [{ exerciseId: bench.id }] });
    await database.current.sql`delete from "user" where id = ${alice.id}`;
    const [counts] = await database.current.sql<
      { plans: number; logs: number; sets: number; zercher: number; createdBy: string | null }[]
    >`
      select (select count(*)::int from workout_plans where owner_id = ${alice.id}) as plans,
             (select count(*)::int from workout_logs where user_id = ${alice.id}) as logs,
             (select count(*)::int from log_sets) as sets,
             (select count(*)::int from exercises where name = 'Zercher Squat') as zercher,
             (select created_by from exercises where name = 'Zercher Squat') as "createdBy"`;
    expect(counts).toEqual({ plans: 0, logs: 0, sets: 0, zercher: 1, createdBy: null });
    expect((await call(bob, "GET", "/api/exercises?q=bench")).body.length).toBeGreaterThan(0);
  });
});
