import { describe, expect, it } from "vitest";
import { createWorkoutBody } from "../src/schema/fitness/validation";
import { DEVICE_KEY_PATTERN, deviceKeyDigest, generateDeviceKey } from "../src/schema/telemetry/device-key";
import {
  createDeviceBody,
  createRuleBody,
  fastReadings,
  MAX_READINGS_PER_MESSAGE,
  parseReadingsPayload,
  updateDeviceBody,
} from "../src/schema/telemetry/validation";

const now = new Date("2026-11-22T12:00:00.000Z");
const json = (text: string) => JSON.parse(text) as unknown;

function rejected(input: unknown) {
  const result = parseReadingsPayload(input, now);
  if (result.ok) throw new Error(`expected a rejection, got ${JSON.stringify(result.readings)}`);
  return result.problems;
}

describe("device payload: accepted shapes", () => {
  it("shape 1: values now, stamped with the receive time", () => {
    const result = parseReadingsPayload(json('{"temperature": 21.5, "humidity": 40}'), now);
    expect(result).toEqual({
      ok: true,
      readings: [
        { metric: "temperature", value: 21.5, recordedAt: now },
        { metric: "humidity", value: 40, recordedAt: now },
      ],
    });
  });

  it("shape 2: ThingsBoard ts + values, ts in epoch ms or ISO-8601", () => {
    const ms = Date.UTC(2026, 10, 22, 11, 0, 0);
    expect(parseReadingsPayload(json(`{"ts": ${ms}, "values": {"temperature": -3}}`), now)).toEqual({
      ok: true,
      readings: [{ metric: "temperature", value: -3, recordedAt: new Date(ms) }],
    });
    expect(parseReadingsPayload({ ts: "2026-11-22T12:30:00+01:00", values: { t: 1 } }, now)).toEqual({
      ok: true,
      readings: [{ metric: "t", value: 1, recordedAt: new Date("2026-11-22T11:30:00Z") }],
    });
  });

  it("shape 3: an array of shapes 1 and 2", () => {
    const result = parseReadingsPayload(
      [{ temperature: 20 }, { ts: now.getTime() - 1000, values: { temperature: 19, "rssi.dbm": -70 } }],
      now,
    );
    expect(result.ok && result.readings).toEqual([
      { metric: "temperature", value: 20, recordedAt: now },
      { metric: "temperature", value: 19, recordedAt: new Date(now.getTime() - 1000) },
      { metric: "rssi.dbm", value: -70, recordedAt: new Date(now.getTime() - 1000) },
    ]);
  });

  it("shape 3: a readings list, ts optional per reading", () => {
    const result = parseReadingsPayload(
      {
        readings: [
          { metric: "heart_rate", value: 92 },
          { metric: "heart_rate", value: 95, ts: "2026-11-22T11:59:00Z" },
        ],
      },
      now,
    );
    expect(result.ok && result.readings).toEqual([
      { metric: "heart_rate", value: 92, recordedAt: now },
      { metric: "heart_rate", value: 95, recordedAt: new Date("2026-11-22T11:59:00Z") },
    ]);
  });

  it("accepts a reading just under 5 minutes ahead (clock skew)", () => {
    expect(parseReadingsPayload({ ts: now.getTime() + 5 * 60_000, values: { t: 1 } }, now).ok).toBe(true);
  });

  it("refuses a reading recorded before raw retention's start as too_old, and takes one at it", () => {
    const oldest = { from: new Date("2026-10-23T00:00:00Z"), days: 30 };
    const at = (ts: string) => parseReadingsPayload({ ts, values: { t: 1 } }, now, { oldest });
    expect(at("2026-10-23T00:00:00Z").ok).toBe(true);
    expect(at("2026-10-22T23:59:59.999Z")).toEqual({
      ok: false,
      problems: [
        { reason: "too_old", path: "t", message: "ts is before 2026-10-23: readings are kept 30 days" },
      ],
    });
  });

  it(`accepts exactly ${MAX_READINGS_PER_MESSAGE} readings`, () => {
    const readings = Array.from({ length: MAX_READINGS_PER_MESSAGE }, (_, i) => ({ metric: "t", value: i }));
    const result = parseReadingsPayload({ readings }, now);
    expect(result.ok && result.readings.length).toBe(MAX_READINGS_PER_MESSAGE);
  });
});

describe("device payload: the message id (mid)", () => {
  it("is taken at the top of shapes 1, 2 and 3b, and is never a reading", () => {
    expect(parseReadingsPayload({ temperature: 21.5, mid: "boot-7:seq-41" }, now)).toEqual({
      ok: true,
      readings: [{ metric: "temperature", value: 21.5, recordedAt: now }],
      mid: "boot-7:seq-41",
    });
    const ts = now.getTime() - 1000;
    expect(parseReadingsPayload({ ts, values: { t: 1 }, mid: "a" }, now)).toMatchObject({
      ok: true,
      mid: "a",
    });
    expect(parseReadingsPayload({ readings: [{ metric: "t", value: 1 }], mid: "b" }, now)).toMatchObject({
      ok: true,
      mid: "b",
    });
    // Absent: no mid key at all.
    expect(parseReadingsPayload({ t: 1 }, now)).not.toHaveProperty("mid");
  });

  it("must be 1-64 characters of A-Z a-z 0-9 _ . : - (a string)", () => {
    for (const mid of ["", "x".repeat(65), "has space", 42, null, "ümlaut"]) {
      expect(rejected({ t: 1, mid }), JSON.stringify(mid)).toEqual([
        { reason: "bad_shape", path: "mid", message: "mid must be 1-64 characters of A-Z a-z 0-9 _ . : -" },
      ]);
    }
    expect(rejected({ readings: [{ metric: "t", value: 1 }], mid: 7 })[0]?.reason).toBe("bad_shape");
    expect(parseReadingsPayload({ t: 1, mid: "x".repeat(64) }, now).ok).toBe(true);
  });

  it("belongs to the whole message: never inside a batch's elements", () => {
    expect(rejected([{ t: 1, mid: "a" }])).toEqual([
      {
        reason: "bad_shape",
        path: "[0].mid",
        message: "mid belongs at the top of a message, not inside a batch",
      },
    ]);
    expect(rejected([{ ts: now.getTime(), values: { t: 1 }, mid: "a" }])[0]?.reason).toBe("bad_shape");
  });
});

describe("device payload: rejected whole, with reasons", () => {
  it("NaN and 1e999 (Infinity) are not finite numbers", () => {
    expect(rejected({ temperature: Number.NaN })[0]).toMatchObject({
      reason: "bad_value",
      path: "temperature",
    });
    expect(rejected(json('{"temperature": 1e999}'))[0]).toMatchObject({ reason: "bad_value" });
    expect(rejected(json('{"ts": 1795000000000, "values": {"t": -1e999}}'))[0]).toMatchObject({
      reason: "bad_value",
      path: "values.t",
    });
  });

  it("a value beyond ±1e15 is refused in every shape (it could overflow the alerter's aggregates); ±1e15 is taken", () => {
    expect(rejected(json('{"x": 1e160}'))[0]).toMatchObject({
      reason: "bad_value",
      path: "x",
      message: "value must be between -1000000000000000 and 1000000000000000",
    });
    expect(rejected(json('{"ts": 1795000000000, "values": {"t": -1e16}}'))[0]).toMatchObject({
      reason: "bad_value",
      path: "values.t",
    });
    expect(rejected({ readings: [{ metric: "t", value: 2e15 }] })[0]?.reason).toBe("bad_value");
    // The whole message: a good reading beside it is not stored either.
    expect(rejected([{ ok: 1 }, { x: 1e160 }])).toHaveLength(1);
    const edge = parseReadingsPayload({ hi: 1e15, lo: -1e15 }, now);
    expect(edge.ok && edge.readings.map((r) => r.value)).toEqual([1e15, -1e15]);
  });

  it("strings, booleans and nulls are not values", () => {
    expect(rejected({ temperature: "21.5" })[0]).toMatchObject({
      reason: "bad_value",
      message: expect.stringMatching(/finite number/),
    });
    expect(rejected({ on: true })[0]?.reason).toBe("bad_value");
    expect(rejected({ t: null })[0]?.reason).toBe("bad_value");
  });

  it("nested objects are not values", () => {
    expect(rejected({ sensor: { temperature: 21 } })[0]).toMatchObject({
      reason: "bad_value",
      path: "sensor",
    });
    expect(rejected([{ t: 1 }, [{ t: 2 }]])[0]).toMatchObject({ reason: "bad_shape", path: "[1]" });
  });

  it("bad metric names", () => {
    for (const name of ["", "has space", "a/b", "x".repeat(65), "temp°C", "a+b"]) {
      expect(rejected({ [name]: 1 })[0], name).toMatchObject({
        reason: "bad_metric",
        message: expect.stringMatching(/^metric name must be/),
      });
    }
    expect(rejected({ readings: [{ metric: "bad name", value: 1 }] })[0]).toMatchObject({
      reason: "bad_metric",
      path: "readings[0].metric",
    });
    expect(rejected({ ts: now.getTime(), values: { "bad name": 1 } })[0]?.reason).toBe("bad_metric");
  });

  it("a timestamp more than 5 minutes ahead", () => {
    expect(rejected({ ts: now.getTime() + 5 * 60_000 + 1, values: { t: 1 } })[0]).toMatchObject({
      reason: "future_timestamp",
    });
    expect(rejected({ readings: [{ metric: "t", value: 1, ts: "2026-11-22T12:06:00Z" }] })[0]?.reason).toBe(
      "future_timestamp",
    );
  });

  it("timestamps that are not epoch ms or ISO-8601 with offset", () => {
    expect(rejected({ ts: "yesterday", values: { t: 1 } })[0]?.reason).toBe("bad_timestamp");
    expect(rejected({ ts: "2026-11-22T11:00:00", values: { t: 1 } })[0]?.reason).toBe("bad_timestamp");
    // epoch seconds by mistake: 1970
    expect(rejected({ ts: 1_795_000_000, values: { t: 1 } })[0]).toMatchObject({
      reason: "bad_timestamp",
      message: expect.stringMatching(/milliseconds/),
    });
  });

  it("empty bodies and empty batches", () => {
    expect(rejected({})[0]?.reason).toBe("empty");
    expect(rejected([])[0]?.reason).toBe("empty");
    expect(rejected({ readings: [] })[0]?.reason).toBe("empty");
    expect(rejected({ ts: now.getTime(), values: {} })[0]?.reason).toBe("empty");
  });

  it("oversized batches, in any shape", () => {
    const n = MAX_READINGS_PER_MESSAGE + 1;
    expect(rejected(Array.from({ length: n }, () => ({ t: 1 })))[0]?.reason).toBe("too_many");
    expect(
      rejected({ readings: Array.from({ length: n }, () => ({ metric: "t", value: 1 })) })[0]?.reason,
    ).toBe("too_many");
    expect(rejected(Object.fromEntries(Array.from({ length: n }, (_, i) => [`m${i}`, 1])))[0]?.reason).toBe(
      "too_many",
    );
  });

  it("one bad reading rejects the whole message", () => {
    const problems = rejected([{ t: 1 }, { t: 2 }, { t: "x" }]);
    expect(problems).toHaveLength(1);
    expect(problems[0]?.path).toBe("[2].t");
  });

  it("scalars, unknown keys and a readings list inside an array", () => {
    expect(rejected(42)[0]?.reason).toBe("bad_shape");
    expect(rejected("temperature=21")[0]?.reason).toBe("bad_shape");
    expect(rejected(null)[0]?.reason).toBe("bad_shape");
    expect(rejected({ ts: now.getTime(), values: { t: 1 }, extra: 1 })[0]?.reason).toBe("bad_shape");
    expect(rejected({ readings: [{ metric: "t", value: 1, unit: "C" }] })[0]?.reason).toBe("bad_shape");
  });
});

describe("device payload: metric names that are Object.prototype's keys", () => {
  // Valid names by the pattern, so stored like any other: never silently dropped.
  const names = ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf"];

  it("shape 1 stores each of them", () => {
    for (const name of names) {
      const result = parseReadingsPayload(json(`{"${name}": 1, "temperature": 2}`), now);
      expect({ name, result }).toEqual({
        name,
        result: {
          ok: true,
          readings: [
            { metric: name, value: 1, recordedAt: now },
            { metric: "temperature", value: 2, recordedAt: now },
          ],
        },
      });
    }
  });

  it("shape 2 and arrays store each of them", () => {
    const ms = Date.UTC(2026, 10, 22, 11, 0, 0);
    for (const name of names) {
      const result = parseReadingsPayload(
        json(`[{"ts": ${ms}, "values": {"${name}": 3}}, {"${name}": 4}]`),
        now,
      );
      expect({ name, result }).toEqual({
        name,
        result: {
          ok: true,
          readings: [
            { metric: name, value: 3, recordedAt: new Date(ms) },
            { metric: name, value: 4, recordedAt: now },
          ],
        },
      });
    }
  });

  it("the readings list stores each of them", () => {
    for (const name of names) {
      const result = parseReadingsPayload({ readings: [{ metric: name, value: 5 }] }, now);
      expect(result).toEqual({ ok: true, readings: [{ metric: name, value: 5, recordedAt: now }] });
    }
  });

  it("a bad value under such a name rejects the whole message", () => {
    for (const name of names) {
      const problems = rejected(json(`{"${name}": "hot", "temperature": 2}`));
      expect(problems.map((p) => [p.reason, p.path])).toEqual([["bad_value", name]]);
    }
    expect(rejected(json('{"__proto__": {"temperature": 1}}'))[0]?.reason).toBe("bad_value");
  });

  it("an only-__proto__ message is a reading, not an empty message", () => {
    expect(parseReadingsPayload(json('{"__proto__": 7}'), now)).toEqual({
      ok: true,
      readings: [{ metric: "__proto__", value: 7, recordedAt: now }],
    });
  });
});

describe("device keys", () => {
  it("are dk_ + 192 random bits in base64url, stored as a SHA-256 hex digest", () => {
    const key = generateDeviceKey();
    expect(key).toMatch(DEVICE_KEY_PATTERN);
    expect(generateDeviceKey()).not.toBe(key);
    // FIPS 180-2 test vector
    expect(deviceKeyDigest("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(deviceKeyDigest(key)).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("API bodies", () => {
  it("device: a trimmed, non-empty name", () => {
    expect(createDeviceBody.parse({ name: "  Greenhouse  " })).toEqual({ name: "Greenhouse" });
    expect(createDeviceBody.safeParse({ name: "   " }).success).toBe(false);
    expect(createDeviceBody.safeParse({ name: "x", deviceKey: "dk_mine" }).success).toBe(false);
  });

  it("rule: an optional name, trimmed, empty meaning none", () => {
    const base = { metric: "t", comparator: "gt", threshold: 1 };
    expect(createRuleBody.parse({ ...base, name: "  Too hot " }).name).toBe("Too hot");
    expect(createRuleBody.parse({ ...base, name: "" }).name).toBeNull();
    expect(createRuleBody.safeParse({ ...base, name: "x".repeat(101) }).success).toBe(false);
  });

  it("device changes: any of name, offline timeout, tags; tags distinct case-insensitively", () => {
    expect(updateDeviceBody.parse({ tags: [" North ", "north", "south"] })).toEqual({
      tags: ["north", "south"],
    });
    expect(updateDeviceBody.safeParse({}).success).toBe(false);
    expect(updateDeviceBody.safeParse({ silenceSeconds: 9 }).success).toBe(false);
    expect(updateDeviceBody.safeParse({ tags: ["-lead"] }).success).toBe(false);
  });

  it("rule: defaults for window and aggregate; comparator and aggregate from the sets", () => {
    expect(createRuleBody.parse({ metric: "temperature", comparator: "gt", threshold: 30 })).toEqual({
      name: null,
      metric: "temperature",
      comparator: "gt",
      threshold: 30,
      windowSeconds: 60,
      aggregate: "avg",
      noData: "keep",
      severity: "warning",
    });
    expect(
      createRuleBody.safeParse({ metric: "t", comparator: "gt", threshold: 30, recoveryThreshold: 28 })
        .success,
    ).toBe(true);
    expect(
      createRuleBody.safeParse({ metric: "t", comparator: "gt", threshold: 30, recoveryThreshold: 32 })
        .success,
    ).toBe(false);
    expect(
      createRuleBody.safeParse({ metric: "t", comparator: "lt", threshold: 10, recoveryThreshold: 12 })
        .success,
    ).toBe(true);
    expect(createRuleBody.safeParse({ metric: "t", comparator: "eq", threshold: 1 }).success).toBe(false);
    expect(
      createRuleBody.safeParse({ metric: "t", comparator: "gt", threshold: 1, aggregate: "sum" }).success,
    ).toBe(false);
    expect(
      createRuleBody.safeParse({ metric: "t", comparator: "gt", threshold: Number.POSITIVE_INFINITY })
        .success,
    ).toBe(false);
  });

  it("workout: the whole session with at least one set", () => {
    const body = {
      performedAt: "2026-11-22T07:30:00Z",
      sets: [{ exerciseId: "7f1b1a52-1f43-4d3c-9a53-7b2b8f0c1d11", setNumber: 1, reps: 5, weightKg: 100 }],
    };
    expect(createWorkoutBody.parse(body).performedAt).toEqual(new Date("2026-11-22T07:30:00Z"));
    expect(createWorkoutBody.safeParse({ ...body, sets: [] }).success).toBe(false);
    expect(createWorkoutBody.safeParse({ ...body, sets: [{ ...body.sets[0], reps: -1 }] }).success).toBe(
      false,
    );
  });
});

describe("device payload: the fast path agrees with the contracts", () => {
  // A seeded generator of bodies near the protocol's shapes: valid ones, and ones with one or
  // more things wrong (names, values, timestamps, stray keys, misplaced mids, wrong types).
  function generator(seed: number) {
    let state = seed >>> 0;
    const random = () => {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    const sometimes = (p: number) => random() < p;
    const goodNames = [
      "temperature",
      "humidity",
      "a.b-c_1",
      "readings",
      "__proto__",
      "constructor",
      "toString",
    ];
    const badNames = ["bad name", "", "x".repeat(65), "é", "mid", "values", "ts"];
    const goodValues = [21.5, -3, 0, -0, 1e15, -1e15, 1.5e-300, 42];
    const badValues: unknown[] = ["12", null, true, Number.POSITIVE_INFINITY, Number.NaN, 1e16, {}, []];
    const goodTs = [now.getTime() - 3_600_000, now.getTime(), now.getTime() - 86_400_000 + 0.5];
    const badTs: unknown[] = [
      "2026-11-22T12:30:00+01:00",
      "yesterday",
      null,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      946_684_799_999,
      now.getTime() + 600_000,
      now.getTime() - 40 * 86_400_000,
    ];
    const name = () => (sometimes(0.93) ? pick(goodNames) : pick(badNames));
    const value = () => (sometimes(0.93) ? pick(goodValues) : pick(badValues));
    const ts = () => (sometimes(0.85) ? pick(goodTs) : pick(badTs));
    const mid = () => (sometimes(0.85) ? `m-${Math.floor(random() * 1000)}` : pick(["", "bad mid", 7, null]));
    // Object.fromEntries defines "__proto__" as an own key, as JSON.parse does.
    const values = () =>
      Object.fromEntries(Array.from({ length: Math.floor(random() * 5) }, () => [name(), value()]));
    const extra = (entries: [string, unknown][]) => {
      if (sometimes(0.05)) entries.push([pick(["extra", "mid", "ts", "values", "readings"]), value()]);
      return Object.fromEntries(entries);
    };
    const element = (top: boolean): unknown => {
      const withMid = (entries: [string, unknown][]) =>
        sometimes(top ? 0.4 : 0.05) ? [...entries, ["mid", mid()] as [string, unknown]] : entries;
      switch (Math.floor(random() * (top ? 4 : 3))) {
        case 0:
          return extra(withMid(Object.entries(values())));
        case 1:
          return extra(
            withMid([
              ...(sometimes(0.97) ? [["ts", ts()] as [string, unknown]] : []),
              ...(sometimes(0.97)
                ? [["values", sometimes(0.97) ? values() : value()] as [string, unknown]]
                : []),
            ]),
          );
        case 2:
          return sometimes(0.9) ? values() : pick([null, 5, "text", [1, 2]]);
        default: {
          const readings = Array.from({ length: Math.floor(random() * 4) }, () =>
            extra([
              ...(sometimes(0.97) ? [["metric", name()] as [string, unknown]] : []),
              ...(sometimes(0.97) ? [["value", value()] as [string, unknown]] : []),
              ...(sometimes(0.5) ? [["ts", ts()] as [string, unknown]] : []),
            ]),
          );
          return extra(withMid([["readings", sometimes(0.97) ? readings : value()]]));
        }
      }
    };
    return () =>
      sometimes(0.2) ? Array.from({ length: Math.floor(random() * 4) }, () => element(false)) : element(true);
  }

  it("gives what the zod contracts give, for 20,000 generated bodies, and answers the valid common ones", () => {
    const next = generator(20261206);
    const oldest = { from: new Date(now.getTime() - 30 * 86_400_000), days: 30 };
    let accepted = 0;
    let answeredFast = 0;
    for (let i = 0; i < 20_000; i++) {
      const body = next();
      const contracts = parseReadingsPayload(body, now, { oldest, fastPath: false });
      expect(parseReadingsPayload(body, now, { oldest }), JSON.stringify(body)).toStrictEqual(contracts);
      const fast = fastReadings(body, now);
      if (fast) answeredFast++;
      if (contracts.ok) {
        accepted++;
        // Every accepted body without an ISO `ts` is read without zod.
        if (!/"ts":"/.test(JSON.stringify(body))) expect(fast, JSON.stringify(body)).not.toBeNull();
      }
    }
    // Both kinds are well represented (the generator is not all valid, nor all invalid).
    expect(accepted).toBeGreaterThan(4_000);
    expect(20_000 - accepted).toBeGreaterThan(4_000);
    expect(answeredFast).toBeGreaterThan(accepted * 0.9);
  });
});
