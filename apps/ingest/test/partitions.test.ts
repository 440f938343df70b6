// Readings live in day partitions: the ingest makes the coming days' at boot, makes a past day's
// on demand for a late reading within raw retention, and refuses a reading older than retention
// (400, too_old, counted for the owner) instead of storing what would be dropped.
import { useTestDatabase } from "@pulseboard/devstack/test";
import { partitionFor } from "@pulseboard/schema/partitions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countReadings, provisionDevice, type RunningIngest, startIngest, until } from "./harness";

const database = useTestDatabase();
let ingest: RunningIngest;
const DAY = 86_400_000;

const partitionExists = async (name: string) => {
  const [row] = await database.current.sql<{ attached: boolean }[]>`
    select exists (select 1 from pg_inherits where inhrelid = to_regclass(${name})) as attached`;
  return row?.attached ?? false;
};

const partitions = async () =>
  (
    await database.current.sql<{ name: string }[]>`
      select inhrelid::regclass::text as name from pg_inherits where inhparent = 'sensor_readings'::regclass order by 1`
  ).map((r) => r.name);

async function dropPartition(name: string) {
  await database.current.sql.unsafe(`alter table sensor_readings detach partition "${name}"`);
  await database.current.sql.unsafe(`drop table "${name}"`);
}

beforeAll(async () => {
  // The test database has partitions from a week back to a week ahead: take away the ones the
  // ingest must make itself.
  const ahead = partitionFor("sensor_readings", "day", new Date(Date.now() + 3 * DAY)).name;
  await dropPartition(ahead);
  ingest = await startIngest(database.current.url);
});
afterAll(() => ingest?.close());

const post = (key: string, body: unknown) =>
  fetch(`${ingest.httpUrl}/v1/readings`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify(body),
  });

describe("day partitions", () => {
  it("are made ahead at boot: today and the next three days", async () => {
    for (let d = 0; d <= 3; d++) {
      const name = partitionFor("sensor_readings", "day", new Date(Date.now() + d * DAY)).name;
      expect(await partitionExists(name), name).toBe(true);
    }
  });

  it("a late reading within retention gets its day's partition made, and is stored", async () => {
    const device = await provisionDevice(database.current.db);
    const day = new Date(Date.now() - 20 * DAY);
    const name = partitionFor("sensor_readings", "day", day).name;
    await dropPartition(name);
    expect(await partitionExists(name)).toBe(false);
    const answer = await post(device.key, { ts: day.getTime(), values: { temperature: 19.5 } });
    expect(answer.status).toBe(202);
    expect(await partitionExists(name)).toBe(true);
    expect(await countReadings(database.current, device.deviceId)).toBe(1);
  });

  it("a reading older than raw retention is refused as too_old (400), counted, and nothing is stored", async () => {
    const device = await provisionDevice(database.current.db);
    const old = new Date(Date.now() - 31 * DAY - 60_000);
    // Its day has no partition: refusing it must not make one.
    await dropPartition(partitionFor("sensor_readings", "day", old).name);
    const partitionsBefore = await partitions();
    const answer = await post(device.key, [
      { ts: Date.now(), values: { temperature: 20 } },
      { ts: old.getTime(), values: { temperature: 21 } },
    ]);
    expect(answer.status).toBe(400);
    const body = (await answer.json()) as { error: string; reasons: string[] };
    expect(body.reasons).toEqual([
      `temperature: ts is before ${new Date(Date.now() - 30 * DAY).toISOString().slice(0, 10)}: readings are kept 30 days`,
    ]);
    expect(await countReadings(database.current, device.deviceId)).toBe(0);
    const rows = await until(
      () => database.current.sql<{ reason: string; count: number }[]>`
        select reason, count from device_rejections where device_id = ${device.deviceId}`,
      (r) => r.length > 0,
    );
    expect(rows).toEqual([{ reason: "too_old", count: 1 }]);
    // No partition was made for it (nor any other).
    expect(await partitions()).toEqual(partitionsBefore);
  });
});
