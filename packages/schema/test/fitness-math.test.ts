import { describe, expect, it } from "vitest";
import {
  calendarDays,
  DEFAULT_MAX_HEART_RATE,
  DEFAULT_REP_CAP,
  detectPersonalRecords,
  estimateOneRepMax,
  fromDisplayWeight,
  heartRateZones,
  heatMapWeeks,
  KG_PER_LB,
  kgToLb,
  lbToKg,
  maxHeartRate,
  type SessionForRecords,
  sessionVolumeKg,
  setVolumeKg,
  toDisplayWeight,
  weeklyVolumeByMuscleGroup,
  zoneOf,
} from "../src/fitness-math";

const at = (iso: string) => new Date(iso);

describe("estimateOneRepMax", () => {
  it("matches the published formulas", () => {
    expect(estimateOneRepMax(100, 5)).toBeCloseTo(116.6667, 4);
    expect(estimateOneRepMax(100, 5, "epley")).toBeCloseTo(116.6667, 4);
    expect(estimateOneRepMax(100, 5, "brzycki")).toBe(112.5);
    expect(estimateOneRepMax(80, 8, "epley")).toBeCloseTo(101.3333, 4);
    expect(estimateOneRepMax(80, 8, "brzycki")).toBeCloseTo(99.3103, 4);
  });

  it("gives bit-identical results for equal estimates from different sets", () => {
    expect(estimateOneRepMax(90, 10)).toBe(120);
    expect(estimateOneRepMax(100, 6)).toBe(120);
  });

  it("one rep is the weight itself, whatever the formula", () => {
    expect(estimateOneRepMax(142.5, 1, "epley")).toBe(142.5);
    expect(estimateOneRepMax(142.5, 1, "brzycki")).toBe(142.5);
  });

  it("stops at the rep cap: 10 has an estimate, 11 does not", () => {
    expect(DEFAULT_REP_CAP).toBe(10);
    expect(estimateOneRepMax(100, 10)).toBeCloseTo(133.3333, 4);
    expect(estimateOneRepMax(100, 10, "brzycki")).toBeCloseTo(133.3333, 4);
    expect(estimateOneRepMax(100, 11)).toBeNull();
    expect(estimateOneRepMax(100, 11, "brzycki")).toBeNull();
  });

  it("honours a custom cap, up to 36 where Brzycki is still defined", () => {
    expect(estimateOneRepMax(100, 12, "epley", 12)).toBe(140);
    expect(estimateOneRepMax(100, 12, "brzycki", 12)).toBe(144);
    expect(estimateOneRepMax(100, 13, "epley", 12)).toBeNull();
    expect(estimateOneRepMax(100, 4, "epley", 3)).toBeNull();
    expect(estimateOneRepMax(100, 3, "epley", 3)).toBe(110);
    expect(estimateOneRepMax(100, 36, "brzycki", 36)).toBe(3600);
    expect(estimateOneRepMax(100, 36, "epley", 36)).toBe(220);
    expect(estimateOneRepMax(100, 2, "epley", 1)).toBeNull();
    expect(estimateOneRepMax(100, 1, "epley", 1)).toBe(100);
  });

  it("returns null for no load, no rep, or a fractional rep count", () => {
    expect(estimateOneRepMax(null, 5)).toBeNull();
    expect(estimateOneRepMax(undefined, 5)).toBeNull();
    expect(estimateOneRepMax(0, 5)).toBeNull();
    expect(estimateOneRepMax(-20, 5)).toBeNull();
    expect(estimateOneRepMax(Number.NaN, 5)).toBeNull();
    expect(estimateOneRepMax(100, 0)).toBeNull();
    expect(estimateOneRepMax(100, -3)).toBeNull();
    expect(estimateOneRepMax(100, 2.5)).toBeNull();
    expect(estimateOneRepMax(100, Number.NaN)).toBeNull();
  });

  it("rejects a cap outside 1..36 and an unknown formula", () => {
    for (const cap of [0, 37, 2.5, -1, Number.NaN]) {
      expect(() => estimateOneRepMax(100, 5, "epley", cap)).toThrow(RangeError);
    }
    expect(() => estimateOneRepMax(100, 5, "lombardi" as never)).toThrow(RangeError);
  });
});

describe("units", () => {
  it("converts with the exact pound", () => {
    expect(KG_PER_LB).toBe(0.45359237);
    expect(lbToKg(225)).toBeCloseTo(102.05828325, 10);
    expect(kgToLb(100)).toBeCloseTo(220.46226218, 8);
    expect(kgToLb(lbToKg(315))).toBeCloseTo(315, 10);
  });

  it("displays kg to 2 decimals and lb to 1, rounding half up on the shown digits", () => {
    expect(toDisplayWeight(100, "kg")).toBe(100);
    expect(toDisplayWeight(72.3456, "kg")).toBe(72.35);
    expect(toDisplayWeight(1.005, "kg")).toBe(1.01);
    expect(toDisplayWeight(1.0049, "kg")).toBe(1);
    expect(toDisplayWeight(100, "lb")).toBe(220.5);
    expect(toDisplayWeight(102.0583, "lb")).toBe(225);
    expect(toDisplayWeight(20, "lb")).toBe(44.1);
    expect(toDisplayWeight(0, "lb")).toBe(0);
    expect(Object.is(toDisplayWeight(-0.001, "kg"), 0)).toBe(true);
  });

  it("stores kg to 4 decimals", () => {
    expect(fromDisplayWeight(225, "lb")).toBe(102.0583);
    expect(fromDisplayWeight(45, "lb")).toBe(20.4117);
    expect(fromDisplayWeight(2.5, "lb")).toBe(1.134);
    expect(fromDisplayWeight(72.5, "kg")).toBe(72.5);
    expect(fromDisplayWeight(72.12345, "kg")).toBe(72.1235);
  });

  it("round-trips every lb value 0.0..1000.0 in steps of 0.5", () => {
    const failures: number[] = [];
    for (let i = 0; i <= 2000; i++) {
      const lb = i / 2;
      if (toDisplayWeight(fromDisplayWeight(lb, "lb"), "lb") !== lb) failures.push(lb);
    }
    expect(failures).toEqual([]);
  });

  it("round-trips every one-decimal lb value 0.0..1000.0", () => {
    const failures: number[] = [];
    for (let i = 0; i <= 10_000; i++) {
      const lb = i / 10;
      if (toDisplayWeight(fromDisplayWeight(lb, "lb"), "lb") !== lb) failures.push(lb);
    }
    expect(failures).toEqual([]);
  });

  it("round-trips every two-decimal kg value 0.00..1000.00", () => {
    const failures: number[] = [];
    for (let i = 0; i <= 100_000; i++) {
      const kg = i / 100;
      if (toDisplayWeight(fromDisplayWeight(kg, "kg"), "kg") !== kg) failures.push(kg);
    }
    expect(failures).toEqual([]);
  });
});

describe("volume", () => {
  it("is reps × weight, with a bodyweight set adding nothing", () => {
    expect(setVolumeKg({ reps: 5, weightKg: 100 })).toBe(500);
    expect(setVolumeKg({ reps: 8, weightKg: 22.5 })).toBe(180);
    expect(setVolumeKg({ reps: 12, weightKg: null })).toBe(0);
    expect(setVolumeKg({ reps: 0, weightKg: 100 })).toBe(0);
  });

  it("sums a session", () => {
    expect(
      sessionVolumeKg([
        { reps: 5, weightKg: 100 },
        { reps: 8, weightKg: 90 },
        { reps: 10, weightKg: null },
        { reps: 12, weightKg: 22.5 },
      ]),
    ).toBe(1490);
    expect(sessionVolumeKg([])).toBe(0);
  });
});

describe("detectPersonalRecords", () => {
  const session = (id: string, iso: string, sets: [string, number, number | null][]): SessionForRecords => ({
    id,
    performedAt: at(iso),
    sets: sets.map(([exerciseId, reps, weightKg]) => ({ exerciseId, reps, weightKg })),
  });

  // Deliberately out of order; t-1 and t-2 share a timestamp and are ordered by id.
  const history = [
    session("t-2", "2026-01-15T18:00:00Z", [
      ["deadlift", 1, 140],
      ["squat", 12, 100],
    ]),
    session("s3", "2026-01-12T18:00:00Z", [
      ["squat", 8, 95],
      ["squat", 8, 97.5],
      ["squat", 5, 100],
      ["bench", 6, 62.5],
    ]),
    session("s1", "2026-01-05T18:00:00Z", [
      ["squat", 5, 100],
      ["squat", 8, 90],
      ["bench", 8, 60],
      ["bench", 10, null],
    ]),
    session("t-1", "2026-01-15T18:00:00Z", [["deadlift", 1, 150]]),
    session("s2", "2026-01-08T18:00:00Z", [
      ["squat", 5, 100],
      ["squat", 3, 105],
      ["squat", 0, 120],
      ["bench", 10, 0],
      ["bench", 12, null],
    ]),
  ];

  it("walks the history in time order and reports first-ever, beaten and best-of-session records", () => {
    expect(detectPersonalRecords(history)).toEqual([
      // First ever: every rep count and the estimate are records with nothing before them.
      { sessionId: "s1", exerciseId: "squat", kind: "rep-max", reps: 5, valueKg: 100, previousKg: null },
      { sessionId: "s1", exerciseId: "squat", kind: "rep-max", reps: 8, valueKg: 90, previousKg: null },
      {
        sessionId: "s1",
        exerciseId: "squat",
        kind: "e1rm",
        reps: null,
        valueKg: expect.closeTo(116.6667, 4),
        previousKg: null,
      },
      { sessionId: "s1", exerciseId: "bench", kind: "rep-max", reps: 8, valueKg: 60, previousKg: null },
      { sessionId: "s1", exerciseId: "bench", kind: "e1rm", reps: null, valueKg: 76, previousKg: null },
      // s2: 100 × 5 only equals the record; 105 × 3 is a first 3-rep max but its e1RM (115.5) is
      // below 116.67; 0 reps, 0 kg and bodyweight sets set nothing.
      { sessionId: "s2", exerciseId: "squat", kind: "rep-max", reps: 3, valueKg: 105, previousKg: null },
      // s3: two 8-rep sets beat 90; only the better one (97.5) is reported, against 90.
      { sessionId: "s3", exerciseId: "squat", kind: "rep-max", reps: 8, valueKg: 97.5, previousKg: 90 },
      {
        sessionId: "s3",
        exerciseId: "squat",
        kind: "e1rm",
        reps: null,
        valueKg: 123.5,
        previousKg: expect.closeTo(116.6667, 4),
      },
      // 62.5 × 6 is a first 6-rep max, but its e1RM of 75 is under 76.
      { sessionId: "s3", exerciseId: "bench", kind: "rep-max", reps: 6, valueKg: 62.5, previousKg: null },
      // t-1 sorts before t-2 at the same instant, so 150 comes first and 140 is no record.
      { sessionId: "t-1", exerciseId: "deadlift", kind: "rep-max", reps: 1, valueKg: 150, previousKg: null },
      { sessionId: "t-1", exerciseId: "deadlift", kind: "e1rm", reps: null, valueKg: 150, previousKg: null },
    ]);
  });

  it("does not depend on the input order", () => {
    const forward = detectPersonalRecords(history);
    expect(detectPersonalRecords([...history].reverse())).toEqual(forward);
    expect(forward).toHaveLength(11);
  });

  it("reports an e1RM record without a rep-max when the set is past the tracked rep range", () => {
    const sessions = [
      session("x1", "2026-02-01T10:00:00Z", [["bench", 5, 80]]),
      session("x2", "2026-02-08T10:00:00Z", [["bench", 12, 70]]),
    ];
    // Default cap 10: the 12-rep set has no estimate and no tracked rep count.
    expect(detectPersonalRecords(sessions).filter((r) => r.sessionId === "x2")).toEqual([]);
    // Cap 12: 70 × 12 estimates 98 by Epley, over 80 × 5's 93.33.
    expect(detectPersonalRecords(sessions, { repCap: 12 }).filter((r) => r.sessionId === "x2")).toEqual([
      {
        sessionId: "x2",
        exerciseId: "bench",
        kind: "e1rm",
        reps: null,
        valueKg: 98,
        previousKg: expect.closeTo(93.3333, 4),
      },
    ]);
    // Brzycki: 80 × 5 is 90, 70 × 12 is 100.8.
    expect(
      detectPersonalRecords(sessions, { formula: "brzycki", repCap: 12 }).filter((r) => r.kind === "e1rm"),
    ).toEqual([
      { sessionId: "x1", exerciseId: "bench", kind: "e1rm", reps: null, valueKg: 90, previousKg: null },
      { sessionId: "x2", exerciseId: "bench", kind: "e1rm", reps: null, valueKg: 100.8, previousKg: 90 },
    ]);
  });

  it("treats an equal estimate from a different set as no record", () => {
    const sessions = [
      session("y1", "2026-03-01T10:00:00Z", [["row", 10, 90]]),
      session("y2", "2026-03-02T10:00:00Z", [["row", 6, 100]]),
    ];
    expect(detectPersonalRecords(sessions)).toEqual([
      { sessionId: "y1", exerciseId: "row", kind: "rep-max", reps: 10, valueKg: 90, previousKg: null },
      { sessionId: "y1", exerciseId: "row", kind: "e1rm", reps: null, valueKg: 120, previousKg: null },
      { sessionId: "y2", exerciseId: "row", kind: "rep-max", reps: 6, valueKg: 100, previousKg: null },
    ]);
  });

  it("sets nothing from sessions with only unloaded sets, and nothing from no sessions", () => {
    expect(
      detectPersonalRecords([
        session("z1", "2026-03-01T10:00:00Z", [
          ["pull-up", 10, null],
          ["pull-up", 8, 0],
        ]),
      ]),
    ).toEqual([]);
    expect(detectPersonalRecords([])).toEqual([]);
  });

  it("rejects an invalid rep cap even with no sessions", () => {
    expect(() => detectPersonalRecords([], { repCap: 40 })).toThrow(RangeError);
  });
});

describe("weeklyVolumeByMuscleGroup", () => {
  const sets = [
    // Sunday 23:30 UTC, already Monday 00:30 in Berlin.
    { performedAt: at("2026-01-11T23:30:00Z"), muscleGroup: "legs", reps: 5, weightKg: 100 },
    { performedAt: at("2026-01-12T08:00:00Z"), muscleGroup: "legs", reps: 10, weightKg: 60 },
    { performedAt: at("2026-01-10T12:00:00Z"), muscleGroup: null, reps: 10, weightKg: null },
    { performedAt: at("2026-01-06T07:00:00Z"), muscleGroup: "chest", reps: 8, weightKg: 80 },
  ];

  it("buckets by Monday-started UTC weeks, null group as other, sorted", () => {
    expect(weeklyVolumeByMuscleGroup(sets)).toEqual([
      { weekStart: "2026-01-05", muscleGroup: "chest", volumeKg: 640, sets: 1 },
      { weekStart: "2026-01-05", muscleGroup: "legs", volumeKg: 500, sets: 1 },
      { weekStart: "2026-01-05", muscleGroup: "other", volumeKg: 0, sets: 1 },
      { weekStart: "2026-01-12", muscleGroup: "legs", volumeKg: 600, sets: 1 },
    ]);
  });

  it("moves a Sunday-night UTC set into the next week in Europe/Berlin", () => {
    expect(weeklyVolumeByMuscleGroup(sets, "Europe/Berlin")).toEqual([
      { weekStart: "2026-01-05", muscleGroup: "chest", volumeKg: 640, sets: 1 },
      { weekStart: "2026-01-05", muscleGroup: "other", volumeKg: 0, sets: 1 },
      { weekStart: "2026-01-12", muscleGroup: "legs", volumeKg: 1100, sets: 2 },
    ]);
  });

  it("uses the right offset on each side of a DST change in America/New_York", () => {
    const dst = [
      // Sun 1 Mar 23:30 EST (UTC−5): week of Mon 23 Feb (Monday 2 Mar in UTC).
      { performedAt: at("2026-03-02T04:30:00Z"), muscleGroup: "back", reps: 5, weightKg: 100 },
      // Clocks go forward on Sun 8 Mar. Sun 8 Mar 23:30 EDT (UTC−4): still the week of 2 Mar.
      { performedAt: at("2026-03-09T03:30:00Z"), muscleGroup: "back", reps: 5, weightKg: 120 },
      // Mon 9 Mar 00:30 EDT: the next week (at EST it would still have been Sunday).
      { performedAt: at("2026-03-09T04:30:00Z"), muscleGroup: "back", reps: 5, weightKg: 140 },
      // Clocks go back on Sun 1 Nov. Sun 1 Nov 23:30 EST (UTC−5): week of Mon 26 Oct.
      { performedAt: at("2026-11-02T04:30:00Z"), muscleGroup: "back", reps: 1, weightKg: 50 },
    ];
    expect(weeklyVolumeByMuscleGroup(dst, "America/New_York")).toEqual([
      { weekStart: "2026-02-23", muscleGroup: "back", volumeKg: 500, sets: 1 },
      { weekStart: "2026-03-02", muscleGroup: "back", volumeKg: 600, sets: 1 },
      { weekStart: "2026-03-09", muscleGroup: "back", volumeKg: 700, sets: 1 },
      { weekStart: "2026-10-26", muscleGroup: "back", volumeKg: 50, sets: 1 },
    ]);
    expect(weeklyVolumeByMuscleGroup(dst)).toEqual([
      { weekStart: "2026-03-02", muscleGroup: "back", volumeKg: 500, sets: 1 },
      { weekStart: "2026-03-09", muscleGroup: "back", volumeKg: 1300, sets: 2 },
      { weekStart: "2026-11-02", muscleGroup: "back", volumeKg: 50, sets: 1 },
    ]);
  });

  it("starts a week that spans New Year on the December Monday", () => {
    const newYear = [{ performedAt: at("2026-01-01T12:00:00Z"), muscleGroup: "legs", reps: 3, weightKg: 50 }];
    expect(weeklyVolumeByMuscleGroup(newYear)).toEqual([
      { weekStart: "2025-12-29", muscleGroup: "legs", volumeKg: 150, sets: 1 },
    ]);
  });

  it("returns nothing for no sets and throws on an unknown time zone", () => {
    expect(weeklyVolumeByMuscleGroup([])).toEqual([]);
    expect(() => weeklyVolumeByMuscleGroup(sets, "Mars/Olympus_Mons")).toThrow(RangeError);
  });
});

describe("calendarDays", () => {
  const dates = [at("2026-01-12T08:00:00Z"), at("2026-01-11T23:30:00Z"), at("2026-01-11T08:00:00Z")];

  it("counts sessions per UTC day, in date order", () => {
    expect([...calendarDays(dates)]).toEqual([
      ["2026-01-11", 2],
      ["2026-01-12", 1],
    ]);
  });

  it("counts per local day in other time zones", () => {
    expect([...calendarDays(dates, "Europe/Berlin")]).toEqual([
      ["2026-01-11", 1],
      ["2026-01-12", 2],
    ]);
    // 2026-01-12T08:00Z is exactly midnight in Los Angeles (UTC−8).
    expect([...calendarDays(dates, "America/Los_Angeles")]).toEqual([
      ["2026-01-11", 2],
      ["2026-01-12", 1],
    ]);
    expect([...calendarDays(dates, "Pacific/Kiritimati")]).toEqual([
      ["2026-01-11", 1],
      ["2026-01-12", 2],
    ]);
    expect(calendarDays([]).size).toBe(0);
  });
});

describe("heart rate", () => {
  it("prefers an explicit max, then 220 − age, then the default", () => {
    expect(DEFAULT_MAX_HEART_RATE).toBe(190);
    expect(maxHeartRate({})).toBe(190);
    expect(maxHeartRate({ age: null, maxHeartRate: null })).toBe(190);
    expect(maxHeartRate({ age: 30 })).toBe(190);
    expect(maxHeartRate({ age: 40 })).toBe(180);
    expect(maxHeartRate({ age: 40, maxHeartRate: 201 })).toBe(201);
    expect(maxHeartRate({ maxHeartRate: 172 })).toBe(172);
    expect(maxHeartRate({ age: 50, maxHeartRate: 0 })).toBe(170);
    expect(maxHeartRate({ age: 0 })).toBe(190);
    expect(maxHeartRate({ age: 230 })).toBe(190);
  });

  const zones190 = [
    { zone: 1, name: "Very light", minBpm: 95, maxBpm: 113 },
    { zone: 2, name: "Light", minBpm: 114, maxBpm: 132 },
    { zone: 3, name: "Moderate", minBpm: 133, maxBpm: 151 },
    { zone: 4, name: "Hard", minBpm: 152, maxBpm: 170 },
    { zone: 5, name: "Maximum", minBpm: 171, maxBpm: null },
  ];

  it("splits a max of 190 at 50/60/70/80/90 %", () => {
    expect(heartRateZones(190)).toEqual(zones190);
  });

  it("gives a 30-year-old the same zones as a max of 190", () => {
    expect(heartRateZones(maxHeartRate({ age: 30 }))).toEqual(zones190);
  });

  it("rounds half bpm up (max 175, age 45)", () => {
    expect(heartRateZones(maxHeartRate({ age: 45 }))).toEqual([
      { zone: 1, name: "Very light", minBpm: 88, maxBpm: 104 },
      { zone: 2, name: "Light", minBpm: 105, maxBpm: 122 },
      { zone: 3, name: "Moderate", minBpm: 123, maxBpm: 139 },
      { zone: 4, name: "Hard", minBpm: 140, maxBpm: 157 },
      { zone: 5, name: "Maximum", minBpm: 158, maxBpm: null },
    ]);
  });

  it("rejects a max that cannot be split into zones", () => {
    for (const bad of [0, -1, 9, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => heartRateZones(bad)).toThrow(RangeError);
    }
  });

  it.each([
    [0, null],
    [94, null],
    [94.9, null],
    [95, 1],
    [113, 1],
    [113.5, 1],
    [114, 2],
    [132, 2],
    [133, 3],
    [151, 3],
    [152, 4],
    [170, 4],
    [171, 5],
    [240, 5],
    [Number.NaN, null],
  ])("zoneOf(%d) with a max of 190 is %s", (bpm, zone) => {
    expect(zoneOf(bpm, heartRateZones(190))).toBe(zone);
  });

  it("finds no zone in an empty list", () => {
    expect(zoneOf(150, [])).toBeNull();
  });
});

describe("the heat map in the user's time zone", () => {
  it("puts a Tokyo workout at 07:00 on Dec 1 on Dec 1, not on Nov 30 as UTC would", () => {
    const workout = new Date("2026-11-30T22:00:00Z");
    expect([...calendarDays([workout], "Asia/Tokyo").keys()]).toEqual(["2026-12-01"]);
    expect([...calendarDays([workout], "UTC").keys()]).toEqual(["2026-11-30"]);
  });

  it("lays out weeks Monday first, ending with the zone's current week", () => {
    // Sunday 2026-12-06 00:30 in Tokyo is still Saturday 2026-12-05 in UTC.
    const now = new Date("2026-12-05T15:30:00Z");
    const tokyo = heatMapWeeks(now, "Asia/Tokyo", 2);
    expect(tokyo).toEqual([
      ["2026-11-23", "2026-11-24", "2026-11-25", "2026-11-26", "2026-11-27", "2026-11-28", "2026-11-29"],
      ["2026-11-30", "2026-12-01", "2026-12-02", "2026-12-03", "2026-12-04", "2026-12-05", "2026-12-06"],
    ]);
    // In Honolulu it is Saturday morning, in the same week; a Monday starts a new column.
    expect(heatMapWeeks(now, "Pacific/Honolulu", 1)[0]?.[0]).toBe("2026-11-30");
    expect(heatMapWeeks(new Date("2026-12-06T15:30:00Z"), "Asia/Tokyo", 1)[0]?.[0]).toBe("2026-12-07");
  });
});
