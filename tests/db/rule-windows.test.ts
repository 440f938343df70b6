// Long rule windows read the minute roll-ups plus a raw tail (loadRuleStates, windowReadsTiers):
// the figures equal the raw computation exactly (numeric, then float8), before any roll-up, after
// each, with late arrivals rolled up and not, at instants on and off minute boundaries.
import { useTestDatabase } from "@pulseboard/devstack/test";
import { createOwnerWithDevice } from "@pulseboard/devstack/test/fixtures";
import { alertRules } from "@pulseboard/schema";
import { loadRuleStates } from "@pulseboard/schema/queries/alert-evaluation";
import { rollUpClosedMinutes } from "@pulseboard/schema/queries/rollups";
import { TIERED_WINDOW_SECONDS } from "@pulseboard/schema/tiers";
import { beforeAll, describe, expect, it } from "vitest";

const database = useTestDatabase();
const db = () => database.current.db;
const sql = () => database.current.sql;
let deviceId: string;
const AGGREGATES = ["avg", "min", "max", "count", "last"] as const;
// 1,820 s = 260 readings apart: at 11:20:00 (a reading's instant) its start is one too.
const WINDOWS = [TIERED_WINDOW_SECONDS, 1800, 1820, 3600, 5437];
const START = Date.parse("2026-11-22T09:00:00Z");

beforeAll(async () => {
  ({ deviceId } = await createOwnerWithDevice(db(), crypto.randomUUID()));
  await db()
    .insert(alertRules)
    .values(
      WINDOWS.flatMap((windowSeconds) =>
        AGGREGATES.map((aggregate) => ({
          deviceId,
          metric: "t",
          comparator: "gt" as const,
          threshold: 1e9,
          windowSeconds,
          aggregate,
        })),
      ),
    );
  // Every 7 s for 3 hours, on time (received 1.5 s after), values with three decimals whose
  // float8 sums would round differently from numeric ones.
  await sql()`
    insert into sensor_readings (device_id, metric, value, recorded_at, received_at)
    select ${deviceId}, 't', round((g * 0.137 + sin(g) * 10)::numeric, 3),
           ${new Date(START).toISOString()}::timestamptz + make_interval(secs => g * 7),
           ${new Date(START).toISOString()}::timestamptz + make_interval(secs => g * 7 + 1.5)
    from generate_series(0, 3 * 3600 / 7) g`;
});

/** The raw computation: each aggregate over [at - window, at], numeric, then float8. */
async function direct(at: Date, windowSeconds: number) {
  const [row] = await sql()<{ avg: number | null; min: number | null; max: number | null; count: number }[]>`
    select avg(value)::float8 as avg, min(value)::float8 as min, max(value)::float8 as max, count(*)::float8 as count
    from sensor_readings
    where device_id = ${deviceId} and metric = 't'
      and recorded_at >= ${at.toISOString()}::timestamptz - make_interval(secs => ${windowSeconds})
      and recorded_at <= ${at.toISOString()}::timestamptz`;
  const [last] = await sql()<{ value: number }[]>`
    select value::float8 as value from sensor_readings
    where device_id = ${deviceId} and metric = 't'
      and recorded_at >= ${at.toISOString()}::timestamptz - make_interval(secs => ${windowSeconds})
      and recorded_at <= ${at.toISOString()}::timestamptz
    order by recorded_at desc limit 1`;
  return { ...row, last: last?.value ?? null };
}

async function expectExact(at: Date) {
  const states = await loadRuleStates(db(), [deviceId], at);
  expect(states).toHaveLength(WINDOWS.length * AGGREGATES.length);
  for (const state of states) {
    const expected = (await direct(at, state.windowSeconds))[state.aggregate];
    expect(state.value, `${state.aggregate} over ${state.windowSeconds} s at ${at.toISOString()}`).toBe(
      expected,
    );
  }
}

// Instants on a minute boundary and off it (the windows' edges cut minutes), and on a reading's
// instant (both ends of a window are in it).
const INSTANTS = [
  "2026-11-22T11:20:00.000Z",
  "2026-11-22T11:30:00.000Z",
  "2026-11-22T11:47:13.250Z",
  "2026-11-22T11:59:59.999Z",
].map((iso) => new Date(iso));

describe("long rule windows from the minute roll-ups and a raw tail", () => {
  it("equal the raw computation before anything is rolled up", async () => {
    for (const at of INSTANTS) await expectExact(at);
  });

  it("equal it once the roll-up has taken part of the window, and all of it", async () => {
    await rollUpClosedMinutes(db(), { now: new Date("2026-11-22T11:20:00Z") });
    for (const at of INSTANTS) await expectExact(at);
    await rollUpClosedMinutes(db(), { now: new Date("2026-11-22T12:10:00Z") });
    for (const at of INSTANTS) await expectExact(at);
  });

  it("equal it with late arrivals, before and after their roll-up", async () => {
    // Readings recorded inside the windows' whole minutes, arriving long after (late: an extra
    // row for their minutes once rolled up), and one arriving just now.
    await sql()`
      insert into sensor_readings (device_id, metric, value, recorded_at, received_at) values
        (${deviceId}, 't', 1000.125, '2026-11-22T11:10:03.5Z', '2026-11-22T12:15:00Z'),
        (${deviceId}, 't', -7.001, '2026-11-22T11:40:30Z', '2026-11-22T12:15:30Z'),
        (${deviceId}, 't', 3.3, '2026-11-22T11:58:00.5Z', '2026-11-22T12:16:00Z')`;
    for (const at of INSTANTS) await expectExact(at);
    await rollUpClosedMinutes(db(), { now: new Date("2026-11-22T12:20:00Z") });
    const [rows] = await sql()<{ n: number }[]>`
      select count(*)::int as n from reading_rollups_1m
      where device_id = ${deviceId} and bucket_start = '2026-11-22T11:10:00Z'`;
    expect(rows?.n).toBe(2);
    for (const at of INSTANTS) await expectExact(at);
  });

  it("read the minute rows for the whole minutes (a row the readings do not have shows)", async () => {
    const at = INSTANTS[2] ?? new Date();
    const before = await loadRuleStates(db(), [deviceId], at);
    const countOf = (states: typeof before, windowSeconds: number) =>
      states.find((s) => s.aggregate === "count" && s.windowSeconds === windowSeconds)?.value;
    // An extra minute row inside every window (only the tiered path can see it).
    await sql()`
      insert into reading_rollups_1m (device_id, metric, bucket_start, min, max, sum, count, rolled_at)
      values (${deviceId}, 't', '2026-11-22T11:40:00Z', 1, 1, 5, 5, '2026-11-22T12:20:00Z')`;
    try {
      const after = await loadRuleStates(db(), [deviceId], at);
      for (const windowSeconds of WINDOWS)
        expect(countOf(after, windowSeconds)).toBe((countOf(before, windowSeconds) ?? 0) + 5);
    } finally {
      await sql()`
        delete from reading_rollups_1m where device_id = ${deviceId} and bucket_start = '2026-11-22T11:40:00Z' and count = 5`;
    }
  });
});
