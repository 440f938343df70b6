// The demo history's pure decisions: where the month begins and ends, which weekend is empty,
// the values (the simulator's environment profile plus the breaches), and the alert episode.
import { createProfile } from "@pulseboard/simulator";
import { describe, expect, it } from "vitest";
import {
  alertEpisodes,
  BREACH_HALF_MS,
  DAY_MS,
  DEMO_PROFILE_SEED,
  DEMO_RULE,
  HISTORY_DAYS,
  HOUR_MS,
  historySeries,
  inGap,
  MINUTE_MS,
  planHistory,
  readingMinutes,
} from "../src/demo-history-curve";

const NOW = Date.parse("2026-03-18T10:42:17.250Z"); // a Wednesday
const plan = planHistory(NOW);
const series = historySeries(plan);
const temperature = series.values[series.metrics.indexOf("temperature")] ?? [];
const humidity = series.values[series.metrics.indexOf("humidity")] ?? [];

const nearBreach = (ts: number) => plan.breaches.some((b) => Math.abs(ts - b.peakAt) < BREACH_HALF_MS);

describe("the demo history's plan", () => {
  it("ends at the start of the current minute and spans 30 days", () => {
    expect(new Date(plan.endMs).toISOString()).toBe("2026-03-18T10:42:00.000Z");
    expect(plan.endMs - plan.startMs).toBe(HISTORY_DAYS * DAY_MS);
    const minutes = readingMinutes(plan);
    expect(minutes[0]).toBe(plan.startMs);
    expect(minutes.at(-1)).toBe(plan.endMs - MINUTE_MS); // one to two minutes before now
  });

  it("ends where the device's own readings begin, whole minutes before them", () => {
    const live = Date.parse("2026-03-15T08:00:41.900Z");
    const earlier = planHistory(NOW, live);
    expect(new Date(earlier.endMs).toISOString()).toBe("2026-03-15T08:00:00.000Z");
    expect(readingMinutes(earlier).at(-1)).toBeLessThan(live);
    expect(planHistory(NOW, NOW + DAY_MS).endMs).toBe(plan.endMs);
  });

  it("leaves one weekend empty: Saturday 00:00 to Monday 00:00 UTC, well inside the month", () => {
    for (let now = NOW; now < NOW + 14 * DAY_MS; now += 7 * HOUR_MS) {
      const p = planHistory(now);
      expect(new Date(p.gap.startMs).getUTCDay()).toBe(6);
      expect(new Date(p.gap.startMs).toISOString()).toMatch(/T00:00:00.000Z$/);
      expect(p.gap.endMs - p.gap.startMs).toBe(2 * DAY_MS);
      expect(p.gap.startMs).toBeGreaterThan(p.startMs + 7 * DAY_MS);
      expect(p.gap.endMs).toBeLessThan(p.endMs - 6 * DAY_MS);
      for (const b of p.breaches) {
        expect(b.peakAt - BREACH_HALF_MS >= p.gap.endMs || b.peakAt + BREACH_HALF_MS <= p.gap.startMs).toBe(
          true,
        );
        expect(b.peakAt - BREACH_HALF_MS).toBeGreaterThan(p.startMs);
        expect(b.peakAt + BREACH_HALF_MS).toBeLessThan(p.endMs);
      }
    }
    expect(new Date(plan.gap.startMs).toISOString()).toBe("2026-03-07T00:00:00.000Z");
    const minutes = readingMinutes(plan);
    expect(minutes).toHaveLength((HISTORY_DAYS - 2) * 1440);
    expect(minutes.some((ts) => inGap(plan, ts))).toBe(false);
    expect(minutes).toContain(plan.gap.startMs - MINUTE_MS);
    expect(minutes).toContain(plan.gap.endMs);
  });

  it("creates the rule between the second and the third breach", () => {
    const [first, second, third] = plan.breaches;
    expect(first && second && third).toBeTruthy();
    expect(plan.ruleCreatedMs).toBeGreaterThan((second?.peakAt ?? 0) + BREACH_HALF_MS);
    expect(plan.ruleCreatedMs).toBeLessThan((third?.peakAt ?? 0) - BREACH_HALF_MS);
  });
});

describe("the demo history's values", () => {
  it("are the environment profile's, one sample a minute, every metric", () => {
    const profile = createProfile("environment", { seed: DEMO_PROFILE_SEED });
    expect(series.metrics).toEqual(profile.metrics);
    expect(series.times).toEqual(readingMinutes(plan));
    for (const values of series.values) expect(values).toHaveLength(series.times.length);
    series.times.forEach((ts, i) => {
      if (nearBreach(ts)) return;
      const sample = profile.sample(ts).values;
      series.metrics.forEach((metric, m) => {
        expect(series.values[m]?.[i]).toBe(sample[metric]);
      });
    });
  });

  it("follow the day: afternoons warmer than nights, CO2 up in the daytime", () => {
    const co2 = series.values[series.metrics.indexOf("co2")] ?? [];
    const mean = (values: number[], hour: number) => {
      const at = series.times
        .map((ts, i) => [ts, i] as const)
        .filter(([ts]) => !nearBreach(ts) && Math.floor((ts % DAY_MS) / HOUR_MS) === hour);
      return at.reduce((s, [, i]) => s + (values[i] ?? 0), 0) / at.length;
    };
    expect(mean(temperature, 15) - mean(temperature, 3)).toBeGreaterThan(3.5);
    expect(mean(co2, 13) - mean(co2, 2)).toBeGreaterThan(300);
  });

  it("pass 30 °C only in the breaches, which reach their peaks; humidity drops with the heat", () => {
    series.times.forEach((ts, i) => {
      if (!nearBreach(ts)) expect(temperature[i]).toBeLessThan(DEMO_RULE.recoveryThreshold - 1);
    });
    for (const b of plan.breaches) {
      const i = series.times.indexOf(b.peakAt);
      expect(temperature[i]).toBeCloseTo(b.peak, 1);
      const before = series.times.indexOf(b.peakAt - 3 * HOUR_MS);
      expect(humidity[i]).toBeLessThan((humidity[before] ?? 0) - 5);
    }
  });

  it("are the same for the same plan", () => {
    expect(historySeries(plan)).toEqual(series);
  });
});

describe("the demo rule's alerts", () => {
  it("fired once, in the breach after the rule was created, and resolved the same afternoon", () => {
    const episodes = alertEpisodes(plan, series);
    expect(episodes).toHaveLength(1);
    const [episode] = episodes;
    const third = plan.breaches[2];
    if (!episode || !third || episode.resolvedAt === null) throw new Error("expected one resolved episode");
    expect(episode.triggeredAt).toBeGreaterThan(third.peakAt - BREACH_HALF_MS);
    expect(episode.triggeredAt).toBeLessThan(third.peakAt);
    expect(episode.resolvedAt).toBeGreaterThan(third.peakAt);
    expect(episode.resolvedAt).toBeLessThan(third.peakAt + BREACH_HALF_MS);
    expect(episode.value).toBeGreaterThan(DEMO_RULE.threshold);
    expect(episode.resolvedValue).toBeLessThanOrEqual(DEMO_RULE.recoveryThreshold);
    expect(episode.windowEnd - episode.windowStart).toBe(DEMO_RULE.windowSeconds * 1000);
    // The window's average: the 11 readings from window start to end, both included.
    const inWindow = series.times
      .map((ts, i) => [ts, temperature[i] ?? 0] as const)
      .filter(([ts]) => ts >= episode.windowStart && ts <= episode.windowEnd);
    expect(inWindow).toHaveLength(11);
    expect(episode.value).toBeCloseTo(inWindow.reduce((s, [, v]) => s + v, 0) / 11, 9);
  });

  it("fire once, and resolve, whatever the day the history is seeded", () => {
    for (let now = NOW; now < NOW + 7 * DAY_MS; now += 17 * HOUR_MS) {
      const p = planHistory(now);
      const episodes = alertEpisodes(p, historySeries(p));
      expect(episodes, new Date(now).toISOString()).toHaveLength(1);
      expect(episodes[0]?.resolvedAt).not.toBeNull();
    }
  });
});
