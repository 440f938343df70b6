import { DAYS_AHEAD, daysAhead } from "@pulseboard/schema/partitions";
import { describe, expect, it } from "vitest";
import { daysFor } from "./partitions";

const row = (iso: string) => ({ deviceId: "d", metric: "m", value: 1, recordedAt: new Date(iso) });

describe("the ingest's partition days", () => {
  it("ahead: today and the next days, from UTC midnight", () => {
    const { from, to } = daysAhead(new Date("2026-12-03T23:30:00Z"));
    expect(from.toISOString()).toBe("2026-12-03T00:00:00.000Z");
    expect(to.toISOString()).toBe(`2026-12-0${3 + DAYS_AHEAD}T00:00:00.000Z`);
  });

  it("for a batch: its readings' span, never past retention or the future skew", () => {
    const now = new Date("2026-12-03T12:00:00Z");
    expect(daysFor([row("2026-11-20T05:00:00Z"), row("2026-12-01T00:00:00Z")], now, 30)).toEqual({
      from: new Date("2026-11-20T05:00:00Z"),
      to: new Date("2026-12-01T00:00:00Z"),
    });
    // Before the retention start (2026-11-03) or over 5 minutes ahead: no day is made for it.
    expect(daysFor([row("2026-11-02T23:59:59Z"), row("2026-12-03T12:06:00Z")], now, 30)).toBeNull();
    expect(daysFor([row("2026-11-03T00:00:00Z")], now, 30)?.from.toISOString()).toBe(
      "2026-11-03T00:00:00.000Z",
    );
  });
});
