import { describe, expect, it } from "vitest";
import {
  activeOccurrence,
  MAINTENANCE_CHAIN_HORIZON_MS,
  type MaintenanceSchedule,
  maintenanceAt,
  nextOccurrence,
  type Occurrence,
  parseClockTime,
} from "./maintenance-window";
import { fromZonedInput } from "./zoned-time";

const HOUR = 3_600_000;
const at = (iso: string) => new Date(iso);
const iso = (occurrence: Occurrence | undefined) =>
  occurrence && [occurrence.start.toISOString(), occurrence.end.toISOString()];
const hours = (occurrence: Occurrence | undefined) =>
  occurrence && (occurrence.end.getTime() - occurrence.start.getTime()) / HOUR;
const weekly = (
  days: number[],
  startTime: string,
  endTime: string,
  timeZone = "UTC",
): MaintenanceSchedule => ({ kind: "weekly", days, startTime, endTime, timeZone });
const once = (startsAt: string, endsAt: string): MaintenanceSchedule => ({
  kind: "once",
  startsAt: at(startsAt),
  endsAt: at(endsAt),
});

// 2026: January 12 and 19 are Mondays, January 16 a Friday; the clock changes on Sundays
// (Berlin 2026-03-29 and 2026-10-25, New York 2026-03-08 and 2026-11-01).
const MON = 1;
const WED = 3;
const FRI = 5;
const SAT = 6;
const SUN = 7;
const EVERY_DAY = [1, 2, 3, 4, 5, 6, 7];

describe("parseClockTime", () => {
  it("reads HH:MM as minutes after midnight", () => {
    expect(parseClockTime("00:00")).toBe(0);
    expect(parseClockTime("06:30")).toBe(390);
    expect(parseClockTime("23:59")).toBe(1439);
  });

  it("refuses anything else, without throwing", () => {
    for (const bad of [
      "24:00",
      "12:60",
      "9:30",
      "09:5",
      "0930",
      "09:30:00",
      " 09:30",
      "ab:cd",
      "",
      "-1:00",
    ]) {
      expect(parseClockTime(bad), bad).toBeUndefined();
    }
    expect(parseClockTime(undefined as unknown as string)).toBeUndefined();
    expect(parseClockTime(930 as unknown as string)).toBeUndefined();
  });
});

describe("a once-window", () => {
  const window = once("2026-05-04T10:00:00Z", "2026-05-04T12:00:00Z");

  it("holds from its start (inclusive) to its end (exclusive)", () => {
    expect(activeOccurrence(window, at("2026-05-04T09:59:59.999Z"))).toBeUndefined();
    expect(iso(activeOccurrence(window, at("2026-05-04T10:00:00Z")))).toEqual([
      "2026-05-04T10:00:00.000Z",
      "2026-05-04T12:00:00.000Z",
    ]);
    expect(iso(activeOccurrence(window, at("2026-05-04T11:59:59.999Z")))?.[1]).toBe(
      "2026-05-04T12:00:00.000Z",
    );
    expect(activeOccurrence(window, at("2026-05-04T12:00:00Z"))).toBeUndefined();
  });

  it("is next only before it starts", () => {
    expect(iso(nextOccurrence(window, at("2026-05-01T00:00:00Z")))?.[0]).toBe("2026-05-04T10:00:00.000Z");
    expect(nextOccurrence(window, at("2026-05-04T10:00:00Z"))).toBeUndefined();
    expect(nextOccurrence(window, at("2026-06-01T00:00:00Z"))).toBeUndefined();
  });

  it("has no occurrence when it does not end after it starts", () => {
    const backwards = once("2026-05-04T12:00:00Z", "2026-05-04T10:00:00Z");
    expect(activeOccurrence(backwards, at("2026-05-04T11:00:00Z"))).toBeUndefined();
    expect(nextOccurrence(backwards, at("2026-05-01T00:00:00Z"))).toBeUndefined();
    const empty = once("2026-05-04T10:00:00Z", "2026-05-04T10:00:00Z");
    expect(activeOccurrence(empty, at("2026-05-04T10:00:00Z"))).toBeUndefined();
  });

  it("hands back dates the caller can change without changing the schedule", () => {
    const got = activeOccurrence(window, at("2026-05-04T11:00:00Z"));
    got?.end.setTime(0);
    expect(iso(activeOccurrence(window, at("2026-05-04T11:00:00Z")))?.[1]).toBe("2026-05-04T12:00:00.000Z");
  });
});

describe("a weekly window", () => {
  it("holds on a listed day between its times, end exclusive", () => {
    const office = weekly([1, 2, 3, 4, 5], "09:00", "17:00", "Europe/Berlin"); // CET in January: +01:00
    expect(iso(activeOccurrence(office, at("2026-01-12T08:00:00Z")))).toEqual([
      "2026-01-12T08:00:00.000Z",
      "2026-01-12T16:00:00.000Z",
    ]);
    expect(activeOccurrence(office, at("2026-01-12T07:59:59.999Z"))).toBeUndefined();
    expect(activeOccurrence(office, at("2026-01-12T16:00:00Z"))).toBeUndefined();
    expect(activeOccurrence(office, at("2026-01-17T10:00:00Z"))).toBeUndefined(); // Saturday
  });

  it("runs overnight into the next day when it ends at or before it starts", () => {
    const friday = weekly([FRI], "22:00", "06:00");
    expect(activeOccurrence(friday, at("2026-01-16T21:59:59.999Z"))).toBeUndefined();
    expect(iso(activeOccurrence(friday, at("2026-01-16T22:00:00Z")))).toEqual([
      "2026-01-16T22:00:00.000Z",
      "2026-01-17T06:00:00.000Z",
    ]);
    expect(iso(activeOccurrence(friday, at("2026-01-17T03:00:00Z")))).toEqual([
      "2026-01-16T22:00:00.000Z",
      "2026-01-17T06:00:00.000Z",
    ]);
    expect(activeOccurrence(friday, at("2026-01-17T06:00:00Z"))).toBeUndefined();
    // Listing Saturday means the window that starts on Saturday night, not the one ending Saturday morning.
    expect(activeOccurrence(weekly([SAT], "22:00", "06:00"), at("2026-01-17T03:00:00Z"))).toBeUndefined();
    expect(iso(activeOccurrence(weekly([SAT], "22:00", "06:00"), at("2026-01-18T03:00:00Z")))?.[0]).toBe(
      "2026-01-17T22:00:00.000Z",
    );
  });

  it("lasts a whole day when it ends at its start time, each day taking over at midnight", () => {
    const always = weekly(EVERY_DAY, "00:00", "00:00");
    expect(iso(activeOccurrence(always, at("2026-05-05T12:34:00Z")))).toEqual([
      "2026-05-05T00:00:00.000Z",
      "2026-05-06T00:00:00.000Z",
    ]);
    expect(iso(activeOccurrence(always, at("2026-05-06T00:00:00Z")))).toEqual([
      "2026-05-06T00:00:00.000Z",
      "2026-05-07T00:00:00.000Z",
    ]);
    expect(hours(activeOccurrence(weekly([MON], "07:15", "07:15"), at("2026-01-13T07:14:00Z")))).toBe(24);
  });

  it("has no occurrence when the schedule is not valid", () => {
    const noon = at("2026-01-12T12:00:00Z");
    for (const bad of [
      weekly([], "09:00", "17:00"),
      weekly([0], "09:00", "17:00"),
      weekly([8], "09:00", "17:00"),
      weekly([1.5], "09:00", "17:00"),
      weekly([MON], "9:00", "17:00"),
      weekly([MON], "09:00", "24:00"),
      weekly([MON], "09:00", "17:00", "Mars/Olympus"),
    ]) {
      expect(activeOccurrence(bad, noon)).toBeUndefined();
      expect(nextOccurrence(bad, noon)).toBeUndefined();
    }
    expect(activeOccurrence(weekly([MON], "09:00", "17:00"), new Date(Number.NaN))).toBeUndefined();
  });
});

describe("a weekly window far from UTC", () => {
  it("uses the zone's weekday, not UTC's (Pacific/Auckland, +13:00 in January)", () => {
    // Monday 08:00 in Auckland is still Sunday in UTC.
    const monday = weekly([MON], "08:00", "10:00", "Pacific/Auckland");
    expect(iso(activeOccurrence(monday, at("2026-01-11T20:00:00Z")))).toEqual([
      "2026-01-11T19:00:00.000Z",
      "2026-01-11T21:00:00.000Z",
    ]);
    expect(activeOccurrence(monday, at("2026-01-12T20:00:00Z"))).toBeUndefined();
    expect(iso(nextOccurrence(monday, at("2026-01-12T00:00:00Z")))?.[0]).toBe("2026-01-18T19:00:00.000Z");
  });

  it("reaches back to yesterday's local night (America/Los_Angeles, -08:00 in January)", () => {
    // Friday 22:00 PST is Saturday 06:00 UTC; at Saturday 02:00 PST it is still held.
    const friday = weekly([FRI], "22:00", "06:00", "America/Los_Angeles");
    expect(iso(activeOccurrence(friday, at("2026-01-17T10:00:00Z")))).toEqual([
      "2026-01-17T06:00:00.000Z",
      "2026-01-17T14:00:00.000Z",
    ]);
    expect(
      activeOccurrence(weekly([SAT], "22:00", "06:00", "America/Los_Angeles"), at("2026-01-17T10:00:00Z")),
    ).toBeUndefined();
  });

  it("keeps half-hour offsets (Asia/Kolkata, +05:30)", () => {
    const wednesday = weekly([WED], "23:30", "01:15", "Asia/Kolkata");
    expect(iso(activeOccurrence(wednesday, at("2026-01-14T19:00:00Z")))).toEqual([
      "2026-01-14T18:00:00.000Z",
      "2026-01-14T19:45:00.000Z",
    ]);
    expect(activeOccurrence(wednesday, at("2026-01-14T17:59:59.999Z"))).toBeUndefined();
    expect(activeOccurrence(wednesday, at("2026-01-14T19:45:00Z"))).toBeUndefined();
    expect(
      iso(activeOccurrence(weekly(EVERY_DAY, "00:00", "00:00", "Asia/Kolkata"), at("2026-01-14T20:00:00Z"))),
    ).toEqual(["2026-01-14T18:30:00.000Z", "2026-01-15T18:30:00.000Z"]);
  });
});

describe("a weekly window over a clock change", () => {
  it("is an hour shorter over a spring-forward night and longer over a fall-back one (Europe/Berlin)", () => {
    const saturdayNight = weekly([SAT], "22:00", "06:00", "Europe/Berlin");
    const spring = activeOccurrence(saturdayNight, at("2026-03-29T02:00:00Z"));
    expect(iso(spring)).toEqual(["2026-03-28T21:00:00.000Z", "2026-03-29T04:00:00.000Z"]); // CET → CEST
    expect(hours(spring)).toBe(7);
    const autumn = activeOccurrence(saturdayNight, at("2026-10-25T02:00:00Z"));
    expect(iso(autumn)).toEqual(["2026-10-24T20:00:00.000Z", "2026-10-25T05:00:00.000Z"]); // CEST → CET
    expect(hours(autumn)).toBe(9);
  });

  it("is an hour shorter over a spring-forward night and longer over a fall-back one (America/New_York)", () => {
    const saturdayNight = weekly([SAT], "22:00", "06:00", "America/New_York");
    const spring = activeOccurrence(saturdayNight, at("2026-03-08T06:00:00Z"));
    expect(iso(spring)).toEqual(["2026-03-08T03:00:00.000Z", "2026-03-08T10:00:00.000Z"]); // EST → EDT
    expect(hours(spring)).toBe(7);
    const autumn = activeOccurrence(saturdayNight, at("2026-11-01T06:00:00Z"));
    expect(iso(autumn)).toEqual(["2026-11-01T02:00:00.000Z", "2026-11-01T11:00:00.000Z"]); // EDT → EST
    expect(hours(autumn)).toBe(9);
  });

  it("makes a whole-day window 23 h or 25 h on the days the clock changes", () => {
    const always = weekly(EVERY_DAY, "00:00", "00:00", "Europe/Berlin");
    expect(iso(activeOccurrence(always, at("2026-03-29T12:00:00Z")))).toEqual([
      "2026-03-28T23:00:00.000Z",
      "2026-03-29T22:00:00.000Z",
    ]);
    expect(iso(activeOccurrence(always, at("2026-10-25T12:00:00Z")))).toEqual([
      "2026-10-24T22:00:00.000Z",
      "2026-10-25T23:00:00.000Z",
    ]);
  });

  it("reads a start the spring-forward gap skips with the offset before the change", () => {
    // Berlin skips 02:00–03:00 on 2026-03-29: 02:30 is read as 02:30+01:00, i.e. 03:30 summer time.
    const berlin = weekly([SUN], "02:30", "04:00", "Europe/Berlin");
    const berlinGap = activeOccurrence(berlin, at("2026-03-29T01:45:00Z"));
    expect(iso(berlinGap)).toEqual(["2026-03-29T01:30:00.000Z", "2026-03-29T02:00:00.000Z"]);
    expect(berlinGap?.start.getTime()).toBe(fromZonedInput("2026-03-29T02:30", "Europe/Berlin"));
    expect(activeOccurrence(berlin, at("2026-03-29T01:29:59.999Z"))).toBeUndefined();
    // New York skips 02:00–03:00 on 2026-03-08: 02:30 is read as 02:30-05:00, i.e. 03:30 daylight time.
    const newYork = weekly([SUN], "02:30", "04:00", "America/New_York");
    expect(iso(nextOccurrence(newYork, at("2026-03-07T12:00:00Z")))).toEqual([
      "2026-03-08T07:30:00.000Z",
      "2026-03-08T08:00:00.000Z",
    ]);
    expect(iso(nextOccurrence(newYork, at("2026-03-08T12:00:00Z")))?.[0]).toBe("2026-03-15T06:30:00.000Z");
  });

  it("reads an overnight end the spring-forward gap skips the same way", () => {
    const intoTheGap = weekly([SAT], "22:00", "02:30", "Europe/Berlin");
    expect(iso(activeOccurrence(intoTheGap, at("2026-03-29T01:00:00Z")))).toEqual([
      "2026-03-28T21:00:00.000Z",
      "2026-03-29T01:30:00.000Z",
    ]);
  });

  it("moves a window inside the skipped hour by the hour skipped", () => {
    const inTheGap = weekly([SUN], "02:10", "02:50", "Europe/Berlin");
    expect(iso(activeOccurrence(inTheGap, at("2026-03-29T01:15:00Z")))).toEqual([
      "2026-03-29T01:10:00.000Z",
      "2026-03-29T01:50:00.000Z",
    ]);
  });

  it("has no occurrence on a day the gap reading pulls its start past its end", () => {
    // 02:30 reads as 03:30 summer time, after 03:15: nothing is held that Sunday, the next one is.
    const acrossTheGap = weekly([SUN], "02:30", "03:15", "Europe/Berlin");
    expect(activeOccurrence(acrossTheGap, at("2026-03-29T01:20:00Z"))).toBeUndefined();
    expect(activeOccurrence(acrossTheGap, at("2026-03-29T01:10:00Z"))).toBeUndefined();
    expect(iso(nextOccurrence(acrossTheGap, at("2026-03-22T12:00:00Z")))).toEqual([
      "2026-04-05T00:30:00.000Z",
      "2026-04-05T01:15:00.000Z",
    ]);
  });

  it("starts a window in the repeated hour at its first occurrence", () => {
    // Berlin repeats 02:00–03:00 on 2026-10-25: 02:30 first comes at 02:30+02:00.
    const berlin = weekly([SUN], "02:30", "03:30", "Europe/Berlin");
    const berlinRepeat = activeOccurrence(berlin, at("2026-10-25T01:45:00Z"));
    expect(iso(berlinRepeat)).toEqual(["2026-10-25T00:30:00.000Z", "2026-10-25T02:30:00.000Z"]);
    expect(hours(berlinRepeat)).toBe(2);
    // New York repeats 01:00–02:00 on 2026-11-01: 01:30 first comes at 01:30-04:00.
    const newYork = weekly([SUN], "01:30", "02:30", "America/New_York");
    const newYorkRepeat = activeOccurrence(newYork, at("2026-11-01T06:30:00Z")); // the second 01:30
    expect(iso(newYorkRepeat)).toEqual(["2026-11-01T05:30:00.000Z", "2026-11-01T07:30:00.000Z"]);
    expect(hours(newYorkRepeat)).toBe(2);
  });

  it("ends a window in the repeated hour at its first occurrence", () => {
    const berlin = weekly([SAT], "22:00", "02:30", "Europe/Berlin");
    expect(iso(activeOccurrence(berlin, at("2026-10-25T00:00:00Z")))).toEqual([
      "2026-10-24T20:00:00.000Z",
      "2026-10-25T00:30:00.000Z",
    ]);
    expect(activeOccurrence(berlin, at("2026-10-25T01:00:00Z"))).toBeUndefined(); // 02:00 again, CET
  });
});

describe("nextOccurrence", () => {
  const monday = weekly([MON], "09:00", "10:00");

  it("finds the next start across a week boundary", () => {
    expect(iso(nextOccurrence(monday, at("2026-01-14T12:00:00Z")))).toEqual([
      "2026-01-19T09:00:00.000Z",
      "2026-01-19T10:00:00.000Z",
    ]);
    expect(iso(nextOccurrence(monday, at("2026-01-18T23:59:59.999Z")))?.[0]).toBe("2026-01-19T09:00:00.000Z");
    // ...and a year boundary: 2026-12-28 is a Monday.
    expect(iso(nextOccurrence(monday, at("2026-12-29T00:00:00Z")))?.[0]).toBe("2027-01-04T09:00:00.000Z");
  });

  it("starts strictly after the instant, so not the occurrence under way", () => {
    expect(iso(nextOccurrence(monday, at("2026-01-19T09:00:00Z")))?.[0]).toBe("2026-01-26T09:00:00.000Z");
    expect(iso(nextOccurrence(monday, at("2026-01-19T08:59:59.999Z")))?.[0]).toBe("2026-01-19T09:00:00.000Z");
    const friday = weekly([FRI], "22:00", "06:00", "America/Los_Angeles");
    expect(iso(nextOccurrence(friday, at("2026-01-17T10:00:00Z")))?.[0]).toBe("2026-01-24T06:00:00.000Z");
  });

  it("keeps the wall-clock time across a clock change", () => {
    const sunday = weekly([SUN], "09:00", "10:00", "Europe/Berlin");
    expect(iso(nextOccurrence(sunday, at("2026-03-22T09:30:00Z")))?.[0]).toBe("2026-03-29T07:00:00.000Z");
    expect(iso(nextOccurrence(sunday, at("2026-10-18T10:00:00Z")))?.[0]).toBe("2026-10-25T08:00:00.000Z");
    const saturday = weekly([SAT], "10:00", "11:00", "America/New_York");
    expect(iso(nextOccurrence(saturday, at("2026-03-07T16:00:00Z")))?.[0]).toBe("2026-03-14T14:00:00.000Z");
    expect(iso(nextOccurrence(saturday, at("2026-10-31T16:00:00Z")))?.[0]).toBe("2026-11-07T15:00:00.000Z");
  });

  it("finds the nearest of several listed days", () => {
    const twice = weekly([MON, FRI], "22:00", "06:00", "Asia/Kolkata");
    // Wednesday 2026-01-14 noon UTC → Friday 22:00 IST.
    expect(iso(nextOccurrence(twice, at("2026-01-14T12:00:00Z")))).toEqual([
      "2026-01-16T16:30:00.000Z",
      "2026-01-17T00:30:00.000Z",
    ]);
    // Saturday → Monday 22:00 IST.
    expect(iso(nextOccurrence(twice, at("2026-01-17T12:00:00Z")))?.[0]).toBe("2026-01-19T16:30:00.000Z");
  });
});

describe("maintenanceAt", () => {
  const device = { id: "device", schedule: once("2026-05-04T10:00:00Z", "2026-05-04T12:00:00Z") };
  const touching = { id: "touching", schedule: weekly([MON], "12:00", "14:00") }; // 2026-05-04 is a Monday
  const afterGap = { id: "after-gap", schedule: weekly([MON], "12:30", "15:00") };
  const overlapping = { id: "overlapping", schedule: weekly([MON], "11:00", "13:00") };

  it("is undefined outside every window", () => {
    expect(maintenanceAt([device, touching], at("2026-05-04T09:00:00Z"))).toBeUndefined();
    expect(maintenanceAt([device, touching], at("2026-05-04T14:00:00Z"))).toBeUndefined();
    expect(maintenanceAt([], at("2026-05-04T11:00:00Z"))).toBeUndefined();
  });

  it("holds until the later end of two touching windows", () => {
    const held = maintenanceAt([device, touching], at("2026-05-04T11:00:00Z"));
    expect(held?.window.id).toBe("device");
    expect(held?.until.toISOString()).toBe("2026-05-04T14:00:00.000Z");
    // From inside the second window only that one is left.
    const later = maintenanceAt([device, touching], at("2026-05-04T12:00:00Z"));
    expect(later?.window.id).toBe("touching");
    expect(later?.until.toISOString()).toBe("2026-05-04T14:00:00.000Z");
  });

  it("ignores a window that starts after a gap", () => {
    const held = maintenanceAt([device, afterGap], at("2026-05-04T11:00:00Z"));
    expect(held?.window.id).toBe("device");
    expect(held?.until.toISOString()).toBe("2026-05-04T12:00:00.000Z");
  });

  it("follows overlapping and touching windows one after another", () => {
    // 10–12 (once), 11–13 overlaps it, 12:30–15:00 overlaps that.
    const held = maintenanceAt([afterGap, device, overlapping], at("2026-05-04T10:30:00Z"));
    expect(held?.window.id).toBe("device");
    expect(held?.until.toISOString()).toBe("2026-05-04T15:00:00.000Z");
  });

  it("names the containing window whose occurrence ends last", () => {
    const held = maintenanceAt([device, overlapping], at("2026-05-04T11:30:00Z"));
    expect(held?.window.id).toBe("overlapping");
    expect(held?.until.toISOString()).toBe("2026-05-04T13:00:00.000Z");
  });

  it("chains weekly windows across midnight in the windows' zone", () => {
    const friday = { id: "friday", schedule: weekly([FRI], "22:00", "06:00", "America/New_York") };
    const saturday = { id: "saturday", schedule: weekly([SAT], "06:00", "12:00", "America/New_York") };
    const held = maintenanceAt([saturday, friday], at("2026-01-17T04:00:00Z")); // Friday 23:00 EST
    expect(held?.window.id).toBe("friday");
    expect(held?.until.toISOString()).toBe("2026-01-17T17:00:00.000Z"); // Saturday 12:00 EST
  });

  it("chains every day of a week-long run, and stops following a window that never ends", () => {
    const weekdays = { id: "weekdays", schedule: weekly([1, 2, 3, 4, 5], "00:00", "00:00") };
    const held = maintenanceAt([weekdays], at("2026-01-12T10:00:00Z"));
    expect(held?.until.toISOString()).toBe("2026-01-17T00:00:00.000Z");

    const start = at("2026-01-12T10:00:00Z");
    const always = maintenanceAt([{ schedule: weekly(EVERY_DAY, "00:00", "00:00") }], start);
    const until = always?.until.getTime() ?? 0;
    expect(until - start.getTime()).toBeGreaterThanOrEqual(MAINTENANCE_CHAIN_HORIZON_MS);
    expect(until - start.getTime()).toBeLessThan(MAINTENANCE_CHAIN_HORIZON_MS + 25 * HOUR);
    expect(always?.until.toISOString()).toBe("2026-01-27T00:00:00.000Z");
  });
});
