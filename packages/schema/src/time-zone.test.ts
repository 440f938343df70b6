import { describe, expect, it } from "vitest";
import { isTimeZone, timeZoneOr } from "./time-zone";

describe("time zones", () => {
  it("knows IANA names and refuses others", () => {
    expect(isTimeZone("Asia/Tokyo")).toBe(true);
    expect(isTimeZone("America/Argentina/Buenos_Aires")).toBe(true);
    expect(isTimeZone("UTC")).toBe(true);
    expect(isTimeZone("Mars/Olympus")).toBe(false);
    expect(isTimeZone("")).toBe(false);
    expect(isTimeZone("Asia/Tokyo'; drop table")).toBe(false);
  });

  it("falls back to UTC for a stored value it does not know", () => {
    expect(timeZoneOr("Europe/Paris")).toBe("Europe/Paris");
    expect(timeZoneOr(null)).toBe("UTC");
    expect(timeZoneOr("Nowhere/Else")).toBe("UTC");
  });
});
