// The ingest's statements in packages/schema, over the one handle the ingest passes (Drizzle over
// the pooled client, whose timestamp serializers pass text through): what they store and answer.
import { useTestDatabase } from "@pulseboard/devstack/test";
import { alertRules, deviceKeyDigest } from "@pulseboard/schema";
import { createDirectClient } from "@pulseboard/schema/client";
import { READINGS_CHANNEL } from "@pulseboard/schema/live";
import { devicesByKeyDigests } from "@pulseboard/schema/queries/device-keys";
import { markDevicesSeen } from "@pulseboard/schema/queries/devices";
import { notifyReadings } from "@pulseboard/schema/queries/live";
import { insertMessagesOnce, insertReadings } from "@pulseboard/schema/queries/readings";
import { ruleMetricsOf } from "@pulseboard/schema/queries/rules";
import { describe, expect, it } from "vitest";
import { provisionDevice, until } from "./harness";

const database = useTestDatabase();

async function storedMs(deviceId: string): Promise<number[]> {
  const rows = await database.current.sql<{ ms: number }[]>`
    select (extract(epoch from recorded_at) * 1000)::float8 as ms from sensor_readings
    where device_id = ${deviceId} order by recorded_at`;
  return rows.map((r) => r.ms);
}

describe("insertReadings", () => {
  it("stores each reading at its exact millisecond, and a re-delivered one once", async () => {
    const { deviceId } = await provisionDevice(database.current.db);
    const base = Date.UTC(2026, 10, 30, 23, 59, 59, 0);
    const times = [base + 1, base + 999, base + 1000, base + 123_456_789];
    const rows = times.map((t, i) => ({ deviceId, metric: "t", value: i, recordedAt: new Date(t) }));
    expect(await insertReadings(database.current.db, rows)).toBe(4);
    expect(await storedMs(deviceId)).toEqual(times);
    // The natural key (device, metric, recorded_at) skips what is already there.
    expect(
      await insertReadings(database.current.db, [...rows, { ...rows[0], metric: "u" } as (typeof rows)[0]]),
    ).toBe(1);
  });

  it("stores nothing for a deleted device (its key may still be cached), the rest as usual", async () => {
    const kept = await provisionDevice(database.current.db);
    const gone = await provisionDevice(database.current.db);
    await database.current.sql`delete from devices where id = ${gone.deviceId}`;
    // Readings have no foreign key to devices: the statement itself must leave these out.
    const at = new Date();
    const rows = [kept, gone].map((d) => ({ deviceId: d.deviceId, metric: "t", value: 1, recordedAt: at }));
    expect(await insertReadings(database.current.db, rows)).toBe(1);
    expect(await storedMs(kept.deviceId)).toEqual([at.getTime()]);
    expect(await storedMs(gone.deviceId)).toEqual([]);
    // With message ids too: nothing stored, no id claimed.
    const later = new Date(at.getTime() + 1);
    const { inserted } = await insertMessagesOnce(
      database.current.db,
      [kept, gone].map((d) => ({
        rows: [{ deviceId: d.deviceId, metric: "t", value: 2, recordedAt: later }],
        mid: "m-1",
      })),
      3600,
    );
    expect(inserted).toBe(1);
    expect(await storedMs(gone.deviceId)).toEqual([]);
    const [claims] = await database.current.sql<{ n: number }[]>`
      select count(*)::int as n from device_message_ids where device_id = ${gone.deviceId}`;
    expect(claims?.n).toBe(0);
  });
});

describe("the ingest's device queries", () => {
  it("finds devices by their keys' digests, in one query", async () => {
    const a = await provisionDevice(database.current.db);
    const b = await provisionDevice(database.current.db);
    const found = await devicesByKeyDigests(database.current.db, [
      deviceKeyDigest(a.key),
      deviceKeyDigest(b.key),
      deviceKeyDigest("dk_nopenopenopenopenopenopenopenope"),
    ]);
    expect(found.sort((x, y) => x.deviceId.localeCompare(y.deviceId))).toEqual(
      [a, b]
        .map((d) => ({
          digest: deviceKeyDigest(d.key),
          deviceId: d.deviceId,
          ownerId: d.ownerId,
          expiresInMs: null,
        }))
        .sort((x, y) => x.deviceId.localeCompare(y.deviceId)),
    );
  });

  it("marks devices online, seen now", async () => {
    const { deviceId } = await provisionDevice(database.current.db);
    await markDevicesSeen(database.current.db, [deviceId]);
    const [row] = await database.current.sql<{ status: string; ago: number }[]>`
      select status, extract(epoch from now() - last_seen_at)::float8 as ago from devices where id = ${deviceId}`;
    expect(row?.status).toBe("online");
    expect(row?.ago).toBeLessThan(60);
  });

  it("lists the metrics each device has rules on, for those devices only", async () => {
    const withRule = await provisionDevice(database.current.db);
    const otherMetric = await provisionDevice(database.current.db);
    const noRule = await provisionDevice(database.current.db);
    await database.current.db.insert(alertRules).values([
      { deviceId: withRule.deviceId, metric: "t", comparator: "gt", threshold: 1 },
      { deviceId: withRule.deviceId, metric: "t", comparator: "lt", threshold: 0 },
      { deviceId: withRule.deviceId, metric: "u", comparator: "gt", threshold: 1 },
      { deviceId: otherMetric.deviceId, metric: "co2", comparator: "gt", threshold: 1 },
    ]);
    const pairs = await ruleMetricsOf(database.current.db, [withRule.deviceId, noRule.deviceId]);
    expect(
      pairs.map((p) => `${p.deviceId === withRule.deviceId ? "withRule" : p.deviceId} ${p.metric}`).sort(),
    ).toEqual(["withRule t", "withRule u"]);
  });

  it("sends live hints on the readings channel", async () => {
    const listener = createDirectClient(database.current.directUrl);
    const got: string[] = [];
    try {
      await listener.listen(READINGS_CHANNEL, (payload) => got.push(payload));
      await notifyReadings(database.current.db, ['[{"o":"a","d":"b","m":["t"]}]', "[]"]);
      await until(
        async () => got.length,
        (n) => n === 2,
      );
      expect(got).toEqual(['[{"o":"a","d":"b","m":["t"]}]', "[]"]);
    } finally {
      await listener.end();
    }
  });
});
