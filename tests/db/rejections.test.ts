// Device rejections: counts added with one upsert, read per device scoped by owner, pruned by age.
import { useTestDatabase } from "@pulseboard/devstack/test";
import { createOwners } from "@pulseboard/devstack/test/fixtures";
import { createDevice } from "@pulseboard/schema/queries/devices";
import {
  deviceRejections,
  pruneRejections,
  type RejectionCount,
  recordRejections,
} from "@pulseboard/schema/queries/rejections";
import { beforeAll, describe, expect, it } from "vitest";

const database = useTestDatabase();
const HOUR = 3_600_000;
let alice: string;
let bob: string;

async function deviceOf(ownerId: string): Promise<string> {
  return (await createDevice(database.current.db, ownerId, "sensor")).id;
}

function count(
  deviceId: string,
  reason: RejectionCount["reason"],
  n: number,
  at: Date,
  detail: string | null = null,
): RejectionCount {
  return { deviceId, hour: at, reason, count: n, lastAt: at, lastDetail: detail };
}

async function rows(deviceId: string) {
  // Instants as epoch milliseconds: this client is shared with Drizzle, which reads timestamps as text.
  return database.current.sql<
    { hour: number; reason: string; count: number; last_at: number; last_detail: string }[]
  >`
    select (extract(epoch from hour) * 1000)::float8 as hour, reason, count,
           (extract(epoch from last_at) * 1000)::float8 as last_at, last_detail
    from device_rejections where device_id = ${deviceId} order by hour, reason`;
}

beforeAll(async () => {
  alice = crypto.randomUUID();
  bob = crypto.randomUUID();
  await createOwners(database.current.db, alice, bob);
});

describe("rejection queries", () => {
  it("adds counts into one row per device, hour and reason, keeping the latest time and detail", async () => {
    const id = await deviceOf(alice);
    // Both instants inside one hour (a second before now could be the previous hour).
    const now = new Date(Math.floor(Date.now() / HOUR) * HOUR + HOUR / 2);
    const earlier = new Date(now.getTime() - 1000);
    await recordRejections(database.current.db, [
      count(id, "bad_value", 3, now, "t: value must be a finite number"),
      count(id, "invalid_json", 1, now, "the body is not valid JSON"),
    ]);
    await recordRejections(database.current.db, [count(id, "bad_value", 2, earlier, "older detail")]);
    const stored = await rows(id);
    expect(stored.map((r) => [r.reason, r.count])).toEqual([
      ["bad_value", 5],
      ["invalid_json", 1],
    ]);
    const badValue = stored.find((r) => r.reason === "bad_value");
    expect(badValue?.last_at).toBe(now.getTime());
    expect(badValue?.last_detail).toBe("t: value must be a finite number");
    // Stored by the hour's start (UTC).
    expect(badValue?.hour).toBe(Math.floor(now.getTime() / HOUR) * HOUR);
  });

  it("skips counts of devices deleted meanwhile instead of failing the whole write", async () => {
    const kept = await deviceOf(alice);
    const gone = await deviceOf(alice);
    await database.current.sql`delete from devices where id = ${gone}`;
    const written = await recordRejections(database.current.db, [
      count(gone, "empty", 1, new Date()),
      count(kept, "empty", 1, new Date()),
    ]);
    expect(written).toBe(1);
    expect((await rows(kept)).map((r) => r.count)).toEqual([1]);
  });

  it("reads a device's last 24 h per reason and its latest refusal; another owner gets nothing", async () => {
    const id = await deviceOf(alice);
    const now = Date.now();
    await recordRejections(database.current.db, [
      count(id, "bad_value", 4, new Date(now - 2 * HOUR), "temperature: value must be a finite number"),
      count(id, "bad_value", 1, new Date(now - 5 * HOUR)),
      count(id, "rate_limited", 7, new Date(now - HOUR)),
      count(id, "future_timestamp", 2, new Date(now - 30 * HOUR), "too far ahead"),
    ]);
    const view = await deviceRejections(database.current.db, alice, id);
    expect(view.last24h).toEqual([
      { reason: "rate_limited", count: 7 },
      { reason: "bad_value", count: 5 },
    ]);
    expect(view.last).toEqual({ reason: "rate_limited", at: new Date(now - HOUR), detail: null });

    expect(await deviceRejections(database.current.db, bob, id)).toEqual({ last24h: [], last: null });
    const fresh = await deviceOf(alice);
    expect(await deviceRejections(database.current.db, alice, fresh)).toEqual({ last24h: [], last: null });
  });

  it("prunes hours past the retention and keeps the rest", async () => {
    const id = await deviceOf(bob);
    const now = Date.now();
    await recordRejections(database.current.db, [
      count(id, "empty", 1, new Date(now - 50 * HOUR)),
      count(id, "empty", 1, new Date(now - 47 * HOUR)),
    ]);
    expect(await pruneRejections(database.current.db)).toBeGreaterThanOrEqual(1);
    expect((await rows(id)).map((r) => r.hour)).toEqual([Math.floor((now - 47 * HOUR) / HOUR) * HOUR]);
  });

  it("deleting a device deletes its rejections", async () => {
    const id = await deviceOf(bob);
    await recordRejections(database.current.db, [count(id, "too_many", 1, new Date())]);
    await database.current.sql`delete from devices where id = ${id}`;
    expect(await rows(id)).toEqual([]);
  });
});
