// Rollups against the live database: equal to a direct SQL computation, owner-scoped, empty
// buckets omitted, independent of the session's time zone across a DST change.
import { useTestDatabase } from "@pulseboard/devstack/test";
import { deviceKeyDigest, devices, generateDeviceKey, user } from "@pulseboard/schema";
import { rollupReadings } from "@pulseboard/schema/queries/rollups";
import postgres from "postgres";
import { beforeAll, describe, expect, it } from "vitest";

const database = useTestDatabase();
let ownerId: string;
let deviceId: string;
const from = new Date("2026-03-07T00:00:00Z");
const to = new Date("2026-03-10T00:00:00Z"); // crosses the US DST change on 2026-03-08

beforeAll(async () => {
  ownerId = crypto.randomUUID();
  await database.current.db.insert(user).values({ id: ownerId, name: "o", email: `${ownerId}@example.com` });
  const [device] = await database.current.db
    .insert(devices)
    .values({ ownerId, name: "d", deviceKey: deviceKeyDigest(generateDeviceKey()) })
    .returning();
  deviceId = device?.id ?? "";
  // One reading a minute for three days, except a silent 6-hour gap; another metric beside it.
  await database.current.sql`
    insert into sensor_readings (device_id, metric, value, recorded_at)
    select ${deviceId}::uuid, m, round((random() * 100)::numeric, 3), ${from.toISOString()}::timestamptz + make_interval(mins => g)
    from generate_series(0, 3 * 24 * 60 - 1) g, unnest(array['temperature', 'humidity']) m
    where not (g between 1800 and 2159)`;
});

describe("rollups", () => {
  it("equal a direct SQL computation on the same rows", async () => {
    const points = await rollupReadings(database.current.sql, {
      ownerId,
      deviceId,
      metric: "temperature",
      from,
      to,
      bucketSeconds: 3600,
    });
    const direct = await database.current.sql<
      { t: string; min: number; avg: number; max: number; count: number }[]
    >`
      select to_char(to_timestamp(floor(extract(epoch from recorded_at) / 3600) * 3600) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as t,
             min(value)::float8 as min, avg(value)::float8 as avg, max(value)::float8 as max, count(*)::int as count
      from sensor_readings where device_id = ${deviceId} and metric = 'temperature'
        and recorded_at >= ${from.toISOString()}::timestamptz and recorded_at < ${to.toISOString()}::timestamptz
      group by 1 order by 1`;
    expect(points).toEqual(direct.map((r) => ({ ...r })));
    expect(points).toHaveLength(72 - 6);
    expect(points.every((p) => p.count === 60)).toBe(true);
  });

  it("omit empty buckets", async () => {
    const points = await rollupReadings(database.current.sql, {
      ownerId,
      deviceId,
      metric: "temperature",
      from,
      to,
      bucketSeconds: 3600,
    });
    const hours = points.map((p) => p.t);
    expect(hours).not.toContain("2026-03-08T06:00:00Z");
    expect(hours).toContain("2026-03-08T05:00:00Z");
    expect(hours).toContain("2026-03-08T12:00:00Z");
  });

  it("answer nothing for another owner's device", async () => {
    const points = await rollupReadings(database.current.sql, {
      ownerId: "someone-else",
      deviceId,
      metric: "temperature",
      from,
      to,
      bucketSeconds: 3600,
    });
    expect(points).toEqual([]);
  });

  it("do not move with the session's time zone across a DST change", async () => {
    const utc = await rollupReadings(database.current.sql, {
      ownerId,
      deviceId,
      metric: "temperature",
      from,
      to,
      bucketSeconds: 86_400,
    });
    const ny = postgres(database.current.directUrl, { max: 1, connection: { TimeZone: "America/New_York" } });
    try {
      const local = await rollupReadings(ny, {
        ownerId,
        deviceId,
        metric: "temperature",
        from,
        to,
        bucketSeconds: 86_400,
      });
      expect(local).toEqual(utc);
      expect(local.map((p) => p.t)).toEqual([
        "2026-03-07T00:00:00Z",
        "2026-03-08T00:00:00Z",
        "2026-03-09T00:00:00Z",
      ]);
    } finally {
      await ny.end();
    }
  });
});
