import { describe, expect, it } from "vitest";
import { slidingWindow } from "./rate-limit";

const now = new Date("2026-12-03T09:00:00.000Z");
const ago = (ms: number) => new Date(now.getTime() - ms);

describe("slidingWindow", () => {
  it("allows up to the limit in the window, keeping only the times still in it", () => {
    expect(slidingWindow([], now, 5, 60_000)).toEqual({ allowed: true, log: [now] });
    const log = [ago(10_000), ago(70_000), ago(1000), ago(60_000)];
    // 70 s and exactly 60 s ago have left the window.
    expect(slidingWindow(log, now, 5, 60_000)).toEqual({ allowed: true, log: [ago(10_000), ago(1000), now] });
    const four = [ago(40_000), ago(30_000), ago(20_000), ago(10_000)];
    expect(slidingWindow(four, now, 5, 60_000)).toMatchObject({ allowed: true });
  });

  it("refuses the one over the limit, saying when the oldest leaves the window", () => {
    const five = [ago(10_000), ago(50_000), ago(40_000), ago(30_000), ago(20_000)];
    expect(slidingWindow(five, now, 5, 60_000)).toEqual({ allowed: false, retryAfterSeconds: 10 });
    // Rounded up, and never less than a second.
    expect(slidingWindow([ago(59_999), ...five.slice(1)], now, 5, 60_000)).toEqual({
      allowed: false,
      retryAfterSeconds: 1,
    });
    expect(
      slidingWindow([ago(45_500), ago(40_000), ago(30_000), ago(20_000), ago(10_000)], now, 5, 60_000),
    ).toEqual({
      allowed: false,
      retryAfterSeconds: 15,
    });
  });

  it("counts times slightly ahead of this clock (another instance's), capped at the window", () => {
    const ahead = Array.from({ length: 5 }, (_, i) => new Date(now.getTime() + 1000 * (i + 1)));
    expect(slidingWindow(ahead, now, 5, 60_000)).toEqual({ allowed: false, retryAfterSeconds: 60 });
  });
});
