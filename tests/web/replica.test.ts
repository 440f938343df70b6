// DATABASE_URL_REPLICA: chart and history reads of readings (a device's chart, a workout's
// heart-rate summary) go to the read replica; writes, sign-in and sessions, owner checks and
// everything else stay on DATABASE_URL. Two web apps over one test database:
// - `web`, whose replica is the test replica: a streaming standby of the run's PostgreSQL when
//   PULSEBOARD_TEST_REPLICA_URL is set (.ci/run's PostgreSQL 15 run), else the database itself.
//   Writes through it work (a standby refuses every write), charts answer once the standby has
//   replayed the write; with a standby, the chart's connections are on the standby and a chart
//   trails the primary while replay is paused.
// - `split`, whose replica is a second database holding other readings for the same account and
//   device: its charts and heart-rate summaries show the second database's readings, and nothing
//   else reaches it. This proves the routing on every run, standby or not.
import { createTestDatabase, type TestDatabase, useTestDatabase } from "@pulseboard/devstack/test";
import { reapAll } from "@pulseboard/devstack/test/process";
import { useTestReplica } from "@pulseboard/devstack/test/replica";
import { type RunningWeb, signUp, startWeb, type TestUser } from "@pulseboard/devstack/test/web";
import { seedExerciseCatalog } from "@pulseboard/schema/seed";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, insertReadings } from "./helpers";

const database = useTestDatabase();
const replica = useTestReplica(database);
let web: RunningWeb;
let alice: TestUser;
let device: { id: string };
let exerciseId: string;

// Recent readings (whole hours ago), so they sit inside any retention window.
const base = new Date(Math.floor(Date.now() / 3600_000) * 3600_000 - 3 * 3600_000);
const at = (minutes: number) => new Date(base.getTime() + minutes * 60_000);
const chartPath = (deviceId: string, from: Date, to: Date, bucket = 600) =>
  `/api/devices/${deviceId}/readings?metric=temperature&from=${from.toISOString()}&to=${to.toISOString()}&bucket=${bucket}`;

beforeAll(async () => {
  await seedExerciseCatalog(database.current.db);
  web = await startWeb(database.current, { DATABASE_URL_REPLICA: replica.current.url });
  alice = await signUp(web.url, "Alice");
  const created = await api(web.url, alice, "POST", "/api/devices", { name: "Greenhouse" });
  expect(created.status).toBe(201);
  device = created.body;
  const exercises = await api(web.url, alice, "GET", "/api/exercises?q=bench");
  exerciseId = exercises.body[0].id;
  // The first hour: 60 temperature readings every 10 s from `base` (values 0..59), and heart
  // rate every 10 s for the half hour after it (values 100..279).
  await insertReadings(database.current, device.id, "temperature", base, 60, 10, (i) => i);
  await insertReadings(database.current, device.id, "heart_rate", at(60), 180, 10, (i) => 100 + i);
}, 300_000);

afterAll(async () => {
  await web?.stop();
  await reapAll();
});

describe("with the test replica", () => {
  it("writes go through (a standby refuses them); charts and heart rate answer after replay", async () => {
    await replica.current.waitForReplay();
    const chart = await api(web.url, alice, "GET", chartPath(device.id, base, at(60)));
    expect(chart.status).toBe(200);
    expect(chart.body.points).toEqual([
      { t: base.toISOString().replace(".000", ""), min: 0, avg: 29.5, max: 59, count: 60 },
    ]);

    // A workout logged through the same app: stored on the primary, its summary from the replica.
    const workout = await api(web.url, alice, "POST", "/api/workouts", {
      performedAt: at(60).toISOString(),
      endedAt: at(90).toISOString(),
      deviceId: device.id,
      heartRateMetric: "heart_rate",
      sets: [{ exerciseId, setNumber: 1, reps: 5, weightKg: 60 }],
    });
    expect(workout.status).toBe(201);
    const shown = await api(web.url, alice, "GET", `/api/workouts/${workout.body.id}`);
    expect(shown.status).toBe(200);
    expect(shown.body.heartRate).toMatchObject({
      metric: "heart_rate",
      readings: 180,
      min: 100,
      max: 279,
      avg: 189.5,
    });
    // A rule, on the primary too.
    const rule = await api(web.url, alice, "POST", `/api/devices/${device.id}/rules`, {
      metric: "temperature",
      comparator: "gt",
      threshold: 50,
    });
    expect(rule.status).toBe(201);
  });

  it("with a standby, the chart is read there and the primary serves the rest", async (context) => {
    context.skip(!replica.current.standby, "no standby (PULSEBOARD_TEST_REPLICA_URL unset)");
    const began = new Date().toISOString();
    expect((await api(web.url, alice, "GET", chartPath(device.id, base, at(60)))).status).toBe(200);
    expect((await api(web.url, alice, "GET", `/api/devices/${device.id}`)).status).toBe(200);
    // The web app's connections to this database that ran something since `began` (pools keep
    // idle connections 20 s, so the ones just used are still listed): only the chart could have
    // used the replica's.
    const connections = (sql: typeof replica.current.server) => sql<{ app: string }[]>`
      select distinct application_name as app from pg_stat_activity
      where datname = ${database.current.name} and application_name like 'pulseboard-web%'
        and query_start >= ${began}::timestamptz
      order by 1`;
    expect(await connections(replica.current.server)).toEqual([{ app: "pulseboard-web-replica" }]);
    // The session lookup, the owner checks and the device's latest values ran on the primary.
    expect(await connections(database.current.sql)).toEqual([{ app: "pulseboard-web" }]);
  });

  it("with a standby, a chart trails the primary by the replay lag, then catches up", async (context) => {
    context.skip(!replica.current.standby, "no standby (PULSEBOARD_TEST_REPLICA_URL unset)");
    const standby = replica.current.server;
    // Before the other readings, so the device's latest value stays what the tests below expect.
    const path = chartPath(device.id, at(-20), at(-10));
    expect((await api(web.url, alice, "GET", path)).body.points).toEqual([]);
    // Replay paused (briefly: every test file of the run shares the standby), a write on the
    // primary is not on the standby yet, and the chart does not show it.
    await standby`select pg_wal_replay_pause()`;
    try {
      for (let i = 0; ; i += 1) {
        const [row] = await standby<{ state: string }[]>`select pg_get_wal_replay_pause_state() as state`;
        if (row?.state === "paused") break;
        if (i > 500) throw new Error(`replay did not pause (${row?.state})`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await insertReadings(database.current, device.id, "temperature", at(-20), 6, 10, () => 42);
      expect((await api(web.url, alice, "GET", path)).body.points).toEqual([]);
    } finally {
      await standby`select pg_wal_replay_resume()`;
    }
    await replica.current.waitForReplay();
    expect((await api(web.url, alice, "GET", path)).body.points).toEqual([
      { t: at(-20).toISOString().replace(".000", ""), min: 42, avg: 42, max: 42, count: 6 },
    ]);
  });
});

describe("with a replica whose readings differ", () => {
  let other: TestDatabase;
  let split: RunningWeb;

  beforeAll(async () => {
    other = await createTestDatabase();
    // The same account and device in the stand-in replica, with readings of its own.
    const copy = async (table: string, id: string) => {
      const [row] = await database.current.sql<{ j: string }[]>`
        select row_to_json(t)::text as j from ${database.current.sql(table)} t where t.id = ${id}`;
      await other.sql`
        insert into ${other.sql(table)} select * from json_populate_record(null::${other.sql(table)}, ${row?.j ?? null}::json)`;
    };
    await copy("user", alice.id);
    await copy("devices", device.id);
    await insertReadings(other, device.id, "temperature", base, 60, 10, (i) => 1000 + i);
    await insertReadings(other, device.id, "heart_rate", at(60), 90, 20, () => 150);
    split = await startWeb(database.current, { DATABASE_URL_REPLICA: other.url });
  }, 300_000);

  afterAll(async () => {
    await split?.stop();
    await other?.drop();
  });

  it("the chart and the heart-rate summary come from the replica", async () => {
    const chart = await api(split.url, alice, "GET", chartPath(device.id, base, at(60)));
    expect(chart.status).toBe(200);
    expect(chart.body.points).toEqual([
      { t: base.toISOString().replace(".000", ""), min: 1000, avg: 1029.5, max: 1059, count: 60 },
    ]);
    const workout = await api(split.url, alice, "POST", "/api/workouts", {
      performedAt: at(60).toISOString(),
      endedAt: at(90).toISOString(),
      deviceId: device.id,
      heartRateMetric: "heart_rate",
      sets: [{ exerciseId, setNumber: 1, reps: 5 }],
    });
    expect(workout.status).toBe(201);
    const shown = await api(split.url, alice, "GET", `/api/workouts/${workout.body.id}`);
    expect(shown.status).toBe(200);
    expect(shown.body.heartRate).toMatchObject({ readings: 90, min: 150, max: 150, avg: 150 });
  });

  it("sessions, writes, owner checks and the device's latest values use the primary", async () => {
    // The session is found (the stand-in has no sessions) and the device's latest value is the
    // primary's.
    const shown = await api(split.url, alice, "GET", `/api/devices/${device.id}`);
    expect(shown.status).toBe(200);
    expect(shown.body.metrics).toContainEqual(expect.objectContaining({ metric: "temperature", value: 59 }));
    // A new device, a rule and a workout land on the primary only.
    const created = await api(split.url, alice, "POST", "/api/devices", { name: "Second" });
    expect(created.status).toBe(201);
    const rule = await api(split.url, alice, "POST", `/api/devices/${device.id}/rules`, {
      metric: "temperature",
      comparator: "lt",
      threshold: 1,
    });
    expect(rule.status).toBe(201);
    const count = async (sql: TestDatabase["sql"]) => {
      const [row] = await sql<{ devices: number; rules: number; workouts: number }[]>`
        select (select count(*)::int from devices where id = ${created.body.id}) as devices,
               (select count(*)::int from alert_rules where id = ${rule.body.id}) as rules,
               (select count(*)::int from workout_logs) as workouts`;
      return row;
    };
    expect(await count(database.current.sql)).toMatchObject({ devices: 1, rules: 1 });
    expect(await count(other.sql)).toEqual({ devices: 0, rules: 0, workouts: 0 });
    // The owner check before a chart reads the primary: a device only the replica has is not
    // found, and one only the primary has yet charts as empty.
    const [ghost] = await other.sql<{ id: string }[]>`
      insert into devices (owner_id, name, device_key)
      values (${alice.id}, 'Ghost', ${"0".repeat(64)}) returning id`;
    await insertReadings(other, ghost?.id as string, "temperature", base, 6, 10, () => 7);
    const ghostChart = await api(split.url, alice, "GET", chartPath(ghost?.id as string, base, at(60)));
    expect(ghostChart.status).toBe(404);
    const fresh = await api(split.url, alice, "GET", chartPath(created.body.id, base, at(60)));
    expect(fresh.status).toBe(200);
    expect(fresh.body.points).toEqual([]);
  });
});
