// The bench's loss check against a real PostgreSQL, rows stored by the ingest's own statement.
import { useTestDatabase } from "@pulseboard/devstack/test";
import { ensurePartitions } from "@pulseboard/schema/queries/partitions";
import { insertReadings } from "@pulseboard/schema/queries/readings";
import { AckedReadings } from "@pulseboard/simulator";
import { describe, expect, it } from "vitest";
import { provisionDevice } from "../test/harness";
import { compareAckedReadings } from "./loss-check";
import { lossVerdict } from "./loss-verdict";

const database = useTestDatabase();

describe("compareAckedReadings", () => {
  it("finds the acknowledged readings missing, stored with another value, and stored unacknowledged", async () => {
    const { db } = database.current;
    const t = Math.floor(Date.now() / 1000) * 1000 - 60_000 + 123;
    await ensurePartitions(db, "sensor_readings", new Date(t - 86_400_000), new Date(t + 86_400_000));
    const a = await provisionDevice(db, "a");
    const b = await provisionDevice(db, "b");
    const other = await provisionDevice(db, "not in the run");
    const at = (ms: number) => new Date(ms);
    await insertReadings(db, [
      { deviceId: a.deviceId, metric: "temperature", value: 21.47, recordedAt: at(t) },
      { deviceId: a.deviceId, metric: "co2", value: 512, recordedAt: at(t) },
      { deviceId: a.deviceId, metric: "pressure", value: 1013.2, recordedAt: at(t + 1) },
      // Stored, never acknowledged (its acknowledgement lost at stop).
      { deviceId: a.deviceId, metric: "pressure", value: 1013.3, recordedAt: at(t + 2) },
      { deviceId: b.deviceId, metric: "humidity", value: 41.2, recordedAt: at(t) },
      // Another value than the one acknowledged.
      { deviceId: b.deviceId, metric: "co2", value: 600, recordedAt: at(t) },
      // 0.1 + 0.2 = 0.30000000000000004 has 17 significant digits: the numeric column keeps 15.
      { deviceId: b.deviceId, metric: "x", value: 0.1 + 0.2, recordedAt: at(t) },
      // Not the run's device: out of the comparison.
      { deviceId: other.deviceId, metric: "co2", value: 1, recordedAt: at(t) },
    ]);
    const log = new AckedReadings([a.key, b.key], { chunkSize: 2 });
    log.add(a.key, [
      { metric: "temperature", value: 21.47, ts: t },
      { metric: "co2", value: 512, ts: t },
      { metric: "pressure", value: 1013.2, ts: t + 1 },
    ]);
    log.add(b.key, [
      { metric: "humidity", value: 41.2, ts: t },
      { metric: "co2", value: 599, ts: t },
      // Acknowledged, never stored; one millisecond off a stored reading is another reading.
      { metric: "humidity", value: 41.2, ts: t + 1 },
      { metric: "x", value: 0.1 + 0.2, ts: t },
    ]);
    const ids = [a.deviceId, b.deviceId];

    const c = await compareAckedReadings(database.current.sql, log, ids, 7);
    expect(c).toMatchObject({
      acknowledged: 7,
      recorded: 7,
      repeated: 0,
      missing: 1,
      mismatched: 2,
      stored: 7,
      unacknowledged: 1,
    });
    expect(c.examples).toHaveLength(3);
    expect(c.examples.join("\n")).toContain(
      `${b.deviceId} co2 at ${new Date(t).toISOString()}: sent 599, stored 600`,
    );
    expect(c.examples.join("\n")).toContain(
      `${b.deviceId} humidity at ${new Date(t + 1).toISOString()}: sent 41.2, not stored`,
    );
    expect(lossVerdict(c).lossFree).toBe(false);

    // The same readings as acknowledged and stored: no loss, the unacknowledged one reported.
    const clean = new AckedReadings([a.key]);
    clean.add(a.key, [
      { metric: "temperature", value: 21.47, ts: t },
      { metric: "co2", value: 512, ts: t },
      { metric: "pressure", value: 1013.2, ts: t + 1 },
    ]);
    const ok = await compareAckedReadings(database.current.sql, clean, [a.deviceId], 3);
    expect(ok).toMatchObject({
      recorded: 3,
      missing: 0,
      mismatched: 0,
      stored: 4,
      unacknowledged: 1,
      examples: [],
    });
    expect(lossVerdict(ok)).toMatchObject({ lossFree: true });
    // The temporary table went with its transaction: a second check starts empty.
    const none = await compareAckedReadings(
      database.current.sql,
      new AckedReadings([a.key]),
      [a.deviceId],
      0,
    );
    expect(none).toMatchObject({ recorded: 0, missing: 0, stored: 4, unacknowledged: 4 });
  });
});
