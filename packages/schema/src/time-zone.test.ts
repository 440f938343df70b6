import { describe, expect, it } from "vitest";
import { isTimeZone, nextDay, startOfLocalDay, timeZoneName, timeZoneOr } from "./time-zone";
import { fromZonedInput, toZonedInput } from "./zoned-time";

describe("time zones", () => {
  it("knows IANA names and refuses others", () => {
    expect(isTimeZone("Asia/Tokyo")).toBe(true);
    expect(isTimeZone("America/Argentina/Buenos_Aires")).toBe(true);
    expect(isTimeZone("UTC")).toBe(true);
    expect(isTimeZone("Mars/Olympus")).toBe(false);
    expect(isTimeZone("")).toBe(false);
    expect(isTimeZone("Asia/Tokyo'; drop table")).toBe(false);
  });

  it("stores a zone by its canonical name", () => {
    expect(timeZoneName.parse("europe/paris")).toBe("Europe/Paris");
    expect(timeZoneName.safeParse("Mars/Olympus").success).toBe(false);
  });

  it("falls back to UTC for a stored value it does not know", () => {
    expect(timeZoneOr("Europe/Paris")).toBe("Europe/Paris");
    expect(timeZoneOr(null)).toBe("UTC");
    expect(timeZoneOr("Nowhere/Else")).toBe("UTC");
  });
});

describe("startOfLocalDay", () => {
  it("is the day's local midnight in the zone", () => {
    expect(startOfLocalDay("2026-12-01", "Asia/Tokyo").toISOString()).toBe("2026-11-30T15:00:00.000Z");
    expect(startOfLocalDay("2026-12-01", "UTC").toISOString()).toBe("2026-12-01T00:00:00.000Z");
    expect(startOfLocalDay("2026-07-01", "America/New_York").toISOString()).toBe("2026-07-01T04:00:00.000Z");
    expect(startOfLocalDay("2026-12-01", "Asia/Kolkata").toISOString()).toBe("2026-11-30T18:30:00.000Z");
  });

  it("holds across clock changes", () => {
    // Europe/Paris moves to summer time at 02:00 on 2026-03-29: that day still starts at 00:00 CET.
    expect(startOfLocalDay("2026-03-29", "Europe/Paris").toISOString()).toBe("2026-03-28T23:00:00.000Z");
    expect(startOfLocalDay("2026-03-30", "Europe/Paris").toISOString()).toBe("2026-03-29T22:00:00.000Z");
    // America/Santiago skips midnight (00:00 → 01:00) on 2026-09-06: the day starts at 01:00 local.
    expect(startOfLocalDay("2026-09-06", "America/Santiago").toISOString()).toBe("2026-09-06T04:00:00.000Z");
  });

  it("steps days across month and year ends", () => {
    expect(nextDay("2026-12-31")).toBe("2027-01-01");
    expect(nextDay("2028-02-28")).toBe("2028-02-29");
  });
});

describe("datetime-local values in the user's zone", () => {
  it("writes and reads the wall clock of the zone, not the browser's", () => {
    const at = Date.parse("2026-11-30T22:00:00Z");
    expect(toZonedInput(at, "Asia/Tokyo")).toBe("2026-12-01T07:00");
    expect(toZonedInput(at, "UTC")).toBe("2026-11-30T22:00");
    expect(fromZonedInput("2026-12-01T07:00", "Asia/Tokyo")).toBe(at);
    expect(fromZonedInput("2026-07-01T12:30", "America/New_York")).toBe(Date.parse("2026-07-01T16:30:00Z"));
    expect(fromZonedInput("not a time", "UTC")).toBeNaN();
  });
});
