import { MAX_READINGS_PER_MESSAGE, parseReadingsPayload } from "@pulseboard/schema/telemetry";
import { describe, expect, it } from "vitest";
import {
  BODY_SHAPES,
  buildBody,
  createProfile,
  DEFAULT_SESSION_MS,
  deviceSeed,
  mulberry32,
  readingsOf,
  type Sample,
  type WorkoutPhase,
  workoutPhase,
} from "../src/profiles";
import { effectiveIntervalMs, maskKey } from "../src/simulator";

const T0 = Date.UTC(2026, 10, 22, 0, 0, 0);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

function series(profile: ReturnType<typeof createProfile>, from: number, to: number, step: number): Sample[] {
  const out: Sample[] = [];
  for (let t = from; t < to; t += step) out.push(profile.sample(t));
  return out;
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe("seeded noise", () => {
  it("mulberry32 repeats for a seed and differs between seeds", () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const c = mulberry32(43);
    const first = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(first);
    expect([c(), c(), c()]).not.toEqual(first);
    for (const x of first) expect(x >= 0 && x < 1).toBe(true);
  });

  it("gives each device of a run its own seed", () => {
    const seeds = new Set(Array.from({ length: 1000 }, (_, i) => deviceSeed(7, i)));
    expect(seeds.size).toBe(1000);
  });
});

describe("environment profile", () => {
  it("is deterministic for a seed and a function of time only", () => {
    const a = createProfile("environment", { seed: 1 });
    const b = createProfile("environment", { seed: 1 });
    const times = [T0, T0 + 1000, T0 + HOUR, T0 + 13 * HOUR];
    const forward = times.map((t) => a.sample(t));
    const backward = [...times].reverse().map((t) => b.sample(t));
    expect(backward.reverse()).toEqual(forward);
    expect(createProfile("environment", { seed: 2 }).sample(T0)).not.toEqual(forward[0]);
  });

  it("stays in plausible indoor ranges over two days, for many devices", () => {
    for (let seed = 0; seed < 20; seed++) {
      const samples = series(createProfile("environment", { seed }), T0, T0 + 48 * HOUR, 5 * MINUTE);
      for (const { values } of samples) {
        expect(Object.keys(values)).toEqual(["temperature", "humidity", "pressure", "co2"]);
        expect(values.temperature).toBeGreaterThan(14);
        expect(values.temperature).toBeLessThan(28);
        expect(values.humidity).toBeGreaterThan(20);
        expect(values.humidity).toBeLessThan(70);
        expect(values.pressure).toBeGreaterThan(995);
        expect(values.pressure).toBeLessThan(1030);
        expect(values.co2).toBeGreaterThanOrEqual(400);
        expect(values.co2).toBeLessThan(1200);
        expect(Number.isInteger(values.co2)).toBe(true);
      }
    }
  });

  it("follows the day: warmer and stuffier in the afternoon than before dawn", () => {
    const p = createProfile("environment", { seed: 3 });
    const at = (hour: number, metric: string) =>
      mean(
        series(p, T0 + hour * HOUR, T0 + (hour + 1) * HOUR, MINUTE).map(
          (s) => s.values[metric] ?? Number.NaN,
        ),
      );
    expect(at(15, "temperature")).toBeGreaterThan(at(3, "temperature") + 3);
    expect(at(13, "co2")).toBeGreaterThan(at(3, "co2") + 300);
  });

  it("drifts pressure slowly: small steps between samples a minute apart", () => {
    const samples = series(createProfile("environment", { seed: 4 }), T0, T0 + 6 * HOUR, MINUTE);
    for (let i = 1; i < samples.length; i++) {
      const delta = Math.abs((samples[i]?.values.pressure ?? 0) - (samples[i - 1]?.values.pressure ?? 0));
      expect(delta).toBeLessThan(0.5);
    }
  });
});

describe("wearable profile", () => {
  const session = (seed: number) => {
    const p = createProfile("wearable", { seed, startMs: T0 });
    const byPhase = new Map<string, Sample[]>();
    let part = 0;
    let previous: WorkoutPhase | undefined;
    for (const s of series(p, T0, T0 + DEFAULT_SESSION_MS, 5000)) {
      const phase = workoutPhase(s.ts - T0);
      if (phase !== previous) part++;
      previous = phase;
      const name = `${part}:${phase}`;
      byPhase.set(name, [...(byPhase.get(name) ?? []), s]);
    }
    return byPhase;
  };
  const hr = (samples: Sample[] | undefined) => (samples ?? []).map((s) => s.values.heart_rate ?? Number.NaN);

  it("runs a session: rest, warm-up, intervals, cool-down, rest", () => {
    for (let seed = 0; seed < 10; seed++) {
      const phases = session(seed);
      expect([...phases.keys()]).toEqual(["1:rest", "2:warmup", "3:intervals", "4:cooldown", "5:rest"]);

      const resting = hr(phases.get("1:rest"));
      expect(mean(resting)).toBeGreaterThan(54);
      expect(mean(resting)).toBeLessThan(70);

      const warmup = hr(phases.get("2:warmup"));
      const fifth = Math.floor(warmup.length / 5);
      expect(mean(warmup.slice(-fifth))).toBeGreaterThan(mean(warmup.slice(0, fifth)) + 40);

      const intervals = hr(phases.get("3:intervals"));
      expect(Math.max(...intervals)).toBeGreaterThanOrEqual(168);
      expect(Math.max(...intervals)).toBeLessThanOrEqual(185);
      expect(Math.min(...intervals)).toBeGreaterThan(110); // recoveries between efforts
      // Several efforts: count climbs through 160 bpm.
      const climbs = intervals.filter((v, i) => i > 0 && v >= 160 && (intervals[i - 1] ?? 0) < 160).length;
      expect(climbs).toBeGreaterThanOrEqual(4);

      const cooldown = hr(phases.get("4:cooldown"));
      const cf = Math.floor(cooldown.length / 5);
      expect(mean(cooldown.slice(0, cf))).toBeGreaterThan(mean(cooldown.slice(-cf)) + 40);

      expect(mean(hr(phases.get("5:rest")))).toBeLessThan(85);
    }
  });

  it("reports step cadence: still at rest, running in the intervals", () => {
    const phases = session(5);
    const steps = (name: string) => (phases.get(name) ?? []).map((s) => s.values.steps ?? Number.NaN);
    expect(Math.max(...steps("1:rest"))).toBe(0);
    expect(Math.max(...steps("3:intervals"))).toBeGreaterThan(160);
    for (const samples of phases.values()) {
      for (const { values } of samples) {
        expect(values.heart_rate).toBeGreaterThanOrEqual(40);
        expect(values.heart_rate).toBeLessThanOrEqual(200);
        expect(values.steps).toBeGreaterThanOrEqual(0);
        expect(values.steps).toBeLessThanOrEqual(220);
      }
    }
    const hrOnly = createProfile("wearable", { seed: 5, startMs: T0, steps: false });
    expect(hrOnly.metrics).toEqual(["heart_rate"]);
    expect(Object.keys(hrOnly.sample(T0).values)).toEqual(["heart_rate"]);
  });

  it("is deterministic for a seed and repeats sessions back to back", () => {
    const a = createProfile("wearable", { seed: 9, startMs: T0 });
    const b = createProfile("wearable", { seed: 9, startMs: T0 });
    const t = T0 + 12 * MINUTE;
    expect(a.sample(t)).toEqual(b.sample(t));
    expect(workoutPhase(12 * MINUTE)).toBe(workoutPhase(12 * MINUTE + DEFAULT_SESSION_MS));
  });
});

describe("message bodies", () => {
  const receivedAt = new Date(T0 + HOUR);
  const env = createProfile("environment", { seed: 1 });
  const wear = createProfile("wearable", { seed: 1, startMs: T0 });

  it.each(BODY_SHAPES)("shape %s passes the ingest's parser", (shape) => {
    for (const profile of [env, wear]) {
      const samples = shape === "values" ? [profile.sample(T0)] : series(profile, T0, T0 + 10_000, 1000);
      const body = JSON.parse(JSON.stringify(buildBody(samples, shape))) as unknown;
      const result = parseReadingsPayload(body, receivedAt);
      if (!result.ok) throw new Error(JSON.stringify(result.problems));
      expect(result.readings).toHaveLength(samples.length * profile.metrics.length);
      const first = result.readings[0];
      expect(first?.metric).toBe(profile.metrics[0]);
      expect(first?.value).toBe(samples[0]?.values[profile.metrics[0] ?? ""]);
      // Shape 1 is stamped on receipt; the others carry the sample's time.
      expect(first?.recordedAt.getTime()).toBe(shape === "values" ? receivedAt.getTime() : T0);
    }
  });

  it("builds each shape as the protocol spells it", () => {
    const s = env.sample(T0);
    expect(buildBody([s], "values")).toEqual(s.values);
    expect(buildBody([s], "timed")).toEqual({ ts: T0, values: s.values });
    expect(buildBody([s, s], "timed")).toEqual([
      { ts: T0, values: s.values },
      { ts: T0, values: s.values },
    ]);
    expect(buildBody([s], "readings")).toEqual({
      readings: Object.entries(s.values).map(([metric, value]) => ({ metric, value, ts: T0 })),
    });
  });

  it("never exceeds the per-message limit", () => {
    const full = series(env, T0, T0 + 250_000, 1000); // 250 samples x 4 metrics = 1000 readings
    for (const shape of ["timed", "readings"] as const) {
      const result = parseReadingsPayload(buildBody(full, shape), receivedAt);
      expect(result.ok && result.readings.length).toBe(MAX_READINGS_PER_MESSAGE);
    }
    const over = [...full, env.sample(T0 + 250_000)];
    expect(() => buildBody(over, "timed")).toThrow(RangeError);
    expect(() => buildBody(over, "readings")).toThrow(RangeError);
    const cut = buildBody(over, "readings", MAX_READINGS_PER_MESSAGE) as { readings: unknown[] };
    expect(cut.readings).toHaveLength(MAX_READINGS_PER_MESSAGE);
    expect(() => buildBody([], "timed")).toThrow(RangeError);
    expect(() => buildBody(full.slice(0, 2), "values")).toThrow(RangeError);
  });
});

describe("readings a body carries", () => {
  const receivedAt = new Date(T0 + HOUR);
  const env = createProfile("environment", { seed: 3 });

  it.each([
    ["values", 1, undefined],
    ["timed", 1, undefined],
    ["timed", 3, undefined],
    ["readings", 3, undefined],
    // 3 samples of 4 metrics cut to 10: the third sample's last two readings are not sent.
    ["readings", 3, 10],
  ] as const)("shape %s, %i sample(s), cut at %s: what the ingest's parser reads", (shape, n, max) => {
    const samples = series(env, T0, T0 + n * 1000, 1000);
    const parsed = parseReadingsPayload(
      JSON.parse(JSON.stringify(buildBody(samples, shape, max))),
      receivedAt,
    );
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    const expected = parsed.readings.map((r) => ({
      metric: r.metric,
      value: r.value,
      // Shape 1 carries no time: the server's receipt time is no part of what was sent.
      ts: shape === "values" ? null : r.recordedAt.getTime(),
    }));
    expect(readingsOf(samples, shape, max)).toEqual(expected);
    expect(expected).toHaveLength(max ?? n * 4);
  });
});

describe("helpers", () => {
  it("caps the per-device interval to keep a global rate", () => {
    expect(effectiveIntervalMs(1000, 1000)).toBe(1000);
    expect(effectiveIntervalMs(1000, 1000, 2000)).toBe(1000); // the cap is above the offered rate
    expect(effectiveIntervalMs(1000, 1000, 500)).toBe(2000);
    expect(effectiveIntervalMs(10, 100, 50)).toBe(200);
  });

  it("masks device keys", () => {
    expect(maskKey("dk_abcdefghijklmnopqrstuvwxyz012345")).toBe("dk_abcd…");
    expect(maskKey("dk_a")).toBe("…");
  });
});
