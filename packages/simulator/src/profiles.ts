// Simulated device profiles: plain functions of (seed, time), no I/O. Noise is hashed from the
// seed and the timestamp rather than drawn from a running stream, so a sample depends only on
// when it is taken: batches can be generated for past instants and tests can probe any time.
import { MAX_READINGS_PER_MESSAGE } from "@pulseboard/schema/telemetry";

export type ProfileKind = "environment" | "wearable";
export const PROFILE_KINDS = ["environment", "wearable"] as const satisfies readonly ProfileKind[];

/** One instant's readings of a device: `{ temperature: 21.4, humidity: 41.2, ... }`. */
export interface Sample {
  /** Epoch milliseconds. */
  ts: number;
  values: Record<string, number>;
}

export interface Profile {
  kind: ProfileKind;
  /** Metric names of every sample, in order. */
  metrics: readonly string[];
  sample(ts: number): Sample;
}

export interface ProfileOptions {
  seed: number;
  /** Wearable: when the first workout session starts (epoch ms); sessions repeat back to back. */
  startMs?: number;
  /** Wearable: length of one session (rest, warm-up, intervals, cool-down, rest). */
  sessionMs?: number;
  /** Wearable: also report `steps`, the step cadence in steps per minute. */
  steps?: boolean;
}

/** mulberry32: a tiny, fast 32-bit PRNG; plenty for simulated noise. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    return mulberryOutput(a);
  };
}

/** mulberry32's output for state `a`. */
function mulberryOutput(a: number): number {
  let t = a;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/**
 * A uniform [0, 1) value determined by (seed, i): the first draw of mulberry32 seeded with a mix
 * of both, without making a generator (a sample hashes a dozen times).
 */
export function hash01(seed: number, i: number): number {
  const lo = i >>> 0;
  const hi = Math.floor(i / 4294967296) >>> 0;
  return mulberryOutput(((seed ^ Math.imul(lo, 0x9e3779b1) ^ Math.imul(hi, 0x85ebca6b)) + 0x6d2b79f5) >>> 0);
}

/** A 32-bit seed for the `index`-th device of a run seeded with `seed`. */
export function deviceSeed(seed: number, index: number): number {
  return Math.floor(hash01(seed, index + 1) * 4294967296);
}

/** Smooth noise in [-1, 1]: hashed values at integer x, eased in between. */
function valueNoise(seed: number, x: number): number {
  const i = Math.floor(x);
  const f = x - i;
  const ease = f * f * (3 - 2 * f);
  const a = hash01(seed, i) * 2 - 1;
  const b = hash01(seed, i + 1) * 2 - 1;
  return a + (b - a) * ease;
}

const clamp = (v: number, min: number, max: number) => Math.min(max, Math.max(min, v));
const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Indoor climate sensor: temperature, humidity, pressure and CO2, 4 metrics per sample. */
function environment(seed: number): Profile {
  const rand = mulberry32(seed);
  const baseTemp = 19 + rand() * 4;
  const baseHumidity = 35 + rand() * 20;
  const basePressure = 1008 + rand() * 10;
  const noise = (salt: number, x: number) => valueNoise(seed ^ salt, x);
  return {
    kind: "environment",
    metrics: ["temperature", "humidity", "pressure", "co2"],
    sample(ts) {
      const hourOfDay = (((ts % DAY) + DAY) % DAY) / HOUR;
      // Warmest mid-afternoon, coolest before dawn; a little drift and sensor jitter on top.
      const daily = Math.sin((2 * Math.PI * (hourOfDay - 9)) / 24);
      const temperature =
        baseTemp + 2.5 * daily + 0.6 * noise(1, ts / (10 * MINUTE)) + 0.1 * noise(2, ts / 5000);
      const humidity = baseHumidity - 1.5 * (temperature - baseTemp) + 3 * noise(3, ts / (20 * MINUTE));
      const pressure = basePressure + 6 * noise(4, ts / (6 * HOUR)) + 0.3 * noise(5, ts / (10 * MINUTE));
      // Occupied office hours raise CO2 well above outdoor ~420 ppm.
      const occupancy = Math.max(0, Math.sin((Math.PI * (hourOfDay - 8)) / 10));
      const co2 = 430 + 550 * occupancy + 60 * noise(6, ts / (15 * MINUTE)) + 5 * noise(7, ts / 5000);
      return {
        ts,
        values: {
          temperature: round(clamp(temperature, -40, 85), 2),
          humidity: round(clamp(humidity, 0, 100), 1),
          pressure: round(clamp(pressure, 950, 1060), 1),
          co2: Math.round(clamp(co2, 400, 5000)),
        },
      };
    },
  };
}

export type WorkoutPhase = "rest" | "warmup" | "intervals" | "cooldown";

/** Phase boundaries as fractions of a session; the session ends with rest again. */
const PHASES: readonly [number, WorkoutPhase][] = [
  [0.1, "rest"],
  [0.25, "warmup"],
  [0.75, "intervals"],
  [0.9, "cooldown"],
  [1, "rest"],
];
const INTERVALS = 5;
export const DEFAULT_SESSION_MS = 30 * MINUTE;

/** Which part of the workout `elapsedMs` into a session (repeating every `sessionMs`) falls in. */
export function workoutPhase(elapsedMs: number, sessionMs = DEFAULT_SESSION_MS): WorkoutPhase {
  const x = (((elapsedMs % sessionMs) + sessionMs) % sessionMs) / sessionMs;
  for (const [end, phase] of PHASES) if (x < end) return phase;
  return "rest";
}

/** Smoothstep from 0 at `a` to 1 at `b`. */
function ramp(x: number, a: number, b: number): number {
  const f = clamp((x - a) / (b - a), 0, 1);
  return f * f * (3 - 2 * f);
}

/** Wearable during a workout: heart rate (bpm) and optionally step cadence (steps/min). */
function wearable(seed: number, options: ProfileOptions): Profile {
  const rand = mulberry32(seed);
  const resting = 56 + rand() * 8;
  const peak = 170 + rand() * 8;
  const startMs = options.startMs ?? 0;
  const sessionMs = options.sessionMs ?? DEFAULT_SESSION_MS;
  const withSteps = options.steps ?? true;
  const noise = (salt: number, x: number) => valueNoise(seed ^ salt, x);
  return {
    kind: "wearable",
    metrics: withSteps ? ["heart_rate", "steps"] : ["heart_rate"],
    sample(ts) {
      const x = ((((ts - startMs) % sessionMs) + sessionMs) % sessionMs) / sessionMs;
      // Effort 0 (rest) .. 1 (peak): ramp up, smoothed square-wave intervals, ramp down.
      const warm = 0.55 * ramp(x, 0.1, 0.25);
      const inIntervals = x >= 0.25 && x < 0.75;
      const cycle = ((x - 0.25) / 0.5) * INTERVALS;
      const within = cycle - Math.floor(cycle);
      const work = ramp(within, 0, 0.12) * (1 - ramp(within, 0.55, 0.7));
      const effort = inIntervals
        ? 0.6 + 0.4 * work
        : x < 0.25
          ? warm
          : x < 0.9
            ? 0.6 * (1 - ramp(x, 0.75, 0.9)) + 0.12 * ramp(x, 0.75, 0.9)
            : 0.12 * (1 - ramp(x, 0.9, 1));
      const heartRate =
        resting + (peak - resting) * effort + 3 * noise(11, ts / 15_000) + noise(12, ts / 1000);
      const values: Record<string, number> = { heart_rate: Math.round(clamp(heartRate, 40, 200)) };
      if (withSteps) {
        // Standing still at rest, walking in the warm-up and cool-down, running the intervals.
        const cadence = effort < 0.08 ? 0 : 90 + 85 * effort + 4 * noise(13, ts / 10_000);
        values.steps = Math.round(clamp(cadence, 0, 220));
      }
      return { ts, values };
    },
  };
}

export function createProfile(kind: ProfileKind, options: ProfileOptions): Profile {
  return kind === "environment" ? environment(options.seed) : wearable(options.seed, options);
}

/** The protocol's body shapes (docs/device-protocol.md, "The message body"). */
export type BodyShape = "values" | "timed" | "readings";
export const BODY_SHAPES = ["values", "timed", "readings"] as const satisfies readonly BodyShape[];

/**
 * One reading as a message carries it. `ts` (epoch ms) is null in shape `values`, whose readings
 * the server stamps on receipt.
 */
export interface SentReading {
  metric: string;
  value: number;
  ts: number | null;
}

/**
 * One message body for `samples`:
 * - `values` (shape 1) `{temperature: 21.5}`: one sample, stamped by the server on receipt;
 * - `timed` (shape 2) `{ts, values}`, or an array of them for several samples;
 * - `readings` (shape 3) `{readings: [{metric, value, ts}]}`, cut at `maxReadings` readings.
 * Throws a RangeError for a body the ingest would reject (empty, over the per-message limit).
 */
export function buildBody(samples: readonly Sample[], shape: BodyShape, maxReadings?: number): unknown {
  const first = samples[0];
  if (!first) throw new RangeError("a message needs at least one sample");
  if (shape === "values") {
    if (samples.length > 1) throw new RangeError("shape `values` carries one sample (no timestamps)");
    return checkSize({ ...first.values }, countOf(samples));
  }
  if (shape === "timed") {
    const bodies = samples.map((s) => ({ ts: s.ts, values: { ...s.values } }));
    return checkSize(bodies.length === 1 ? bodies[0] : bodies, countOf(samples));
  }
  const readings = timedReadings(samples, maxReadings);
  return checkSize({ readings }, readings.length);
}

/**
 * The readings a body built by `buildBody(samples, shape, maxReadings)` carries, in its order:
 * what a sender knows it delivered once the message is acknowledged.
 */
export function readingsOf(
  samples: readonly Sample[],
  shape: BodyShape,
  maxReadings?: number,
): SentReading[] {
  if (shape === "readings") return timedReadings(samples, maxReadings);
  const all = timedReadings(samples);
  return shape === "values" ? all.map((r) => ({ ...r, ts: null })) : all;
}

function timedReadings(samples: readonly Sample[], maxReadings?: number) {
  return samples
    .flatMap((s) => Object.entries(s.values).map(([metric, value]) => ({ metric, value, ts: s.ts })))
    .slice(0, maxReadings);
}

/** How many readings a body built from `samples` holds (shape `readings` may cut it shorter). */
export function countOf(samples: readonly Sample[]): number {
  return samples.reduce((n, s) => n + Object.keys(s.values).length, 0);
}

function checkSize<T>(body: T, readings: number): T {
  if (readings > MAX_READINGS_PER_MESSAGE) {
    throw new RangeError(`${readings} readings in one message; at most ${MAX_READINGS_PER_MESSAGE}`);
  }
  return body;
}
