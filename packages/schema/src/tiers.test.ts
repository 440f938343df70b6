import { describe, expect, it } from "vitest";
import { InvalidError } from "./errors";
import {
  chartBucketSeconds,
  finestBucketSeconds,
  incrementalFrom,
  MAX_POINTS,
  planTiers,
  TIERED_WINDOW_SECONDS,
  windowReadGroups,
  windowReadsTiers,
} from "./tiers";

const at = (iso: string) => new Date(iso);
const now = at("2026-12-03T15:00:00Z");
const limits = { now, rawRetentionDays: 30, minuteRetentionDays: 400 };
const HOUR = 3_600_000;
const DAY = 86_400_000;

describe("the finest bucket the tiers serve", () => {
  it("is any within raw retention, whole minutes within minute retention, whole hours beyond", () => {
    // Retention starts at the start of the day `days` days before today (UTC).
    expect(finestBucketSeconds(at("2026-11-03T00:00:00Z"), limits)).toBe(1);
    expect(finestBucketSeconds(at("2026-11-02T23:59:59Z"), limits)).toBe(60);
    expect(finestBucketSeconds(at("2025-10-29T00:00:00Z"), limits)).toBe(60);
    expect(finestBucketSeconds(at("2025-10-28T23:59:59Z"), limits)).toBe(3600);
  });
});

describe("a chart's bucket", () => {
  it("is the automatic choice, never finer than the tiers serve for the range", () => {
    const hourAt = (from: string) =>
      chartBucketSeconds(at(from), new Date(at(from).getTime() + HOUR), undefined, limits);
    expect(hourAt("2026-12-03T10:00:00Z")).toBe(10);
    expect(hourAt("2026-10-01T10:00:00Z")).toBe(60);
    expect(hourAt("2025-01-01T10:00:00Z")).toBe(3600);
    // A year: whole days, within the point budget.
    const year = chartBucketSeconds(new Date(now.getTime() - 365 * DAY), now, undefined, limits);
    expect(year).toBe(86_400);
    expect((365 * DAY) / 1000 / year).toBeLessThanOrEqual(MAX_POINTS);
  });

  it("honours a request the tiers serve, and refuses one they do not, naming the limit", () => {
    const from = at("2026-10-01T10:00:00Z");
    const to = new Date(from.getTime() + HOUR);
    expect(chartBucketSeconds(from, to, 120, limits)).toBe(120);
    for (const bucket of [10, 90]) {
      const error = (() => {
        try {
          chartBucketSeconds(from, to, bucket, limits);
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(InvalidError);
      expect(error).toMatchObject({
        field: "bucket",
        message: expect.stringContaining("RAW_RETENTION_DAYS"),
      });
    }
    const old = at("2025-01-01T10:00:00Z");
    expect(() => chartBucketSeconds(old, new Date(old.getTime() + 2 * HOUR), 60, limits)).toThrow(
      /MINUTE_RETENTION_DAYS/,
    );
    expect(chartBucketSeconds(old, new Date(old.getTime() + 2 * HOUR), 7200, limits)).toBe(7200);
    // A request that would exceed the point budget gets the automatic choice, as always.
    expect(chartBucketSeconds(old, new Date(old.getTime() + 30 * DAY), 60, limits)).toBe(7200);
  });
});

describe("an incremental read", () => {
  it("starts at `since`, a bucket start, or at `from` when the range starts later", () => {
    const from = at("2026-12-03T14:00:03Z");
    expect(incrementalFrom(from, at("2026-12-03T14:30:00Z"), 60)).toEqual(at("2026-12-03T14:30:00Z"));
    // The window slid past the client's first bucket: its partial first bucket starts at `from`.
    expect(incrementalFrom(from, at("2026-12-03T14:00:00Z"), 60)).toEqual(from);
    expect(() => incrementalFrom(from, at("2026-12-03T14:30:10Z"), 60)).toThrow(InvalidError);
  });
});

describe("which tier serves which span", () => {
  const cutoff = at("2026-12-03T14:59:00Z");

  it("hours from the hourly tier up to the last day it closed, for whole-hour buckets", () => {
    expect(planTiers(at("2026-11-20T10:17:42Z"), at("2026-12-03T14:30:05Z"), 3600, cutoff)).toEqual({
      first: at("2026-11-20T10:18:00Z"),
      last: at("2026-12-03T14:30:00Z"),
      hourFrom: at("2026-11-20T11:00:00Z"),
      hourTo: at("2026-12-03T00:00:00Z"),
    });
    // The cutoff exactly at midnight closes that day.
    expect(
      planTiers(at("2026-12-01T00:00:00Z"), at("2026-12-04T00:00:00Z"), 7200, at("2026-12-03T00:00:00Z")),
    ).toMatchObject({ hourFrom: at("2026-12-01T00:00:00Z"), hourTo: at("2026-12-03T00:00:00Z") });
  });

  it("no hours for buckets that are not whole hours, for no hourly cutoff, or within the open day", () => {
    for (const [bucket, hourly, from] of [
      [1800, cutoff, "2026-11-20T10:00:00Z"],
      [3600, null, "2026-11-20T10:00:00Z"],
      [3600, cutoff, "2026-12-03T01:00:00Z"],
    ] as const) {
      const plan = planTiers(at(from), at("2026-12-03T14:30:00Z"), bucket, hourly);
      expect(plan?.hourFrom).toEqual(plan?.hourTo);
      expect(plan?.first).toEqual(at(from));
    }
  });

  it("nothing stored for sub-minute buckets, or a range within one minute", () => {
    expect(planTiers(at("2026-12-03T14:00:00Z"), at("2026-12-03T14:10:00Z"), 10, cutoff)).toBeNull();
    expect(planTiers(at("2026-12-03T14:00:10Z"), at("2026-12-03T14:00:50Z"), 60, cutoff)).toBeNull();
  });

  it("rule windows of 15 minutes and more read the tiers, except for last", () => {
    expect(windowReadsTiers("avg", TIERED_WINDOW_SECONDS)).toBe(true);
    expect(windowReadsTiers("count", 30 * 86_400)).toBe(true);
    expect(windowReadsTiers("max", TIERED_WINDOW_SECONDS - 1)).toBe(false);
    expect(windowReadsTiers("last", 30 * 86_400)).toBe(false);
  });

  it("rule windows go in at most three groups, each bounded by its longest window", () => {
    const rules = [
      { id: "a", aggregate: "avg", windowSeconds: 60 },
      { id: "b", aggregate: "last", windowSeconds: 600 },
      { id: "c", aggregate: "last", windowSeconds: 86_400 },
      { id: "d", aggregate: "count", windowSeconds: TIERED_WINDOW_SECONDS },
      { id: "e", aggregate: "max", windowSeconds: 7 * 86_400 },
      { id: "f", aggregate: "min", windowSeconds: TIERED_WINDOW_SECONDS - 1 },
    ];
    const groups = windowReadGroups(rules, now);
    expect(groups.map((g) => [g.read, g.from.toISOString(), g.rules.map((r) => r.id).join("")])).toEqual([
      ["raw", "2026-12-03T14:45:01.000Z", "abf"],
      ["raw", "2026-12-02T15:00:00.000Z", "c"],
      ["tiered", "2026-11-26T15:00:00.000Z", "de"],
    ]);
    // Short windows only: one statement, over the last ten minutes.
    expect(windowReadGroups(rules.slice(0, 2), now)).toHaveLength(1);
    expect(windowReadGroups([], now)).toEqual([]);
  });
});
