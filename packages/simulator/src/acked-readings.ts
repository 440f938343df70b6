// A compact log of acknowledged readings (device, metric, ts, value), fed from runSimulation's
// onAck, for checking them against what was stored. Typed-array chunks, 22 bytes a reading and no
// object per reading: a saturation run's one or two million fit in a few tens of MB, and growing
// never copies what is already recorded.
import type { SentReading } from "./profiles";

const CHUNK = 65_536;

interface Chunk {
  device: Uint32Array;
  metric: Uint16Array;
  ts: Float64Array;
  value: Float64Array;
}

/** Recorded readings in recording order; `device` indexes the keys the log was made with. */
export interface AckedBatch {
  device: number[];
  metric: string[];
  ts: number[];
  value: number[];
}

export class AckedReadings {
  readonly #devices = new Map<string, number>();
  readonly #metrics: string[] = [];
  readonly #metricIndex = new Map<string, number>();
  readonly #chunks: Chunk[] = [];
  readonly #chunkSize: number;
  #size = 0;

  /** `deviceKeys[i]` is recorded as device i. */
  constructor(deviceKeys: readonly string[], options: { chunkSize?: number } = {}) {
    for (const [i, key] of deviceKeys.entries()) this.#devices.set(key, i);
    this.#chunkSize = options.chunkSize ?? CHUNK;
  }

  /** Readings recorded so far. */
  get size(): number {
    return this.#size;
  }

  /**
   * Records the readings of one acknowledged message. A reading without a time (shape `values`,
   * stamped by the server) cannot be looked up in storage, so it is refused rather than skipped.
   */
  add(deviceKey: string, readings: readonly SentReading[]): void {
    const device = this.#devices.get(deviceKey);
    if (device === undefined) throw new RangeError("a device this log was not made for");
    if (readings.some((r) => r.ts === null)) {
      throw new RangeError("a reading without a time (shape `values`) cannot be checked: send a timed shape");
    }
    for (const r of readings) {
      let metric = this.#metricIndex.get(r.metric);
      if (metric === undefined) {
        metric = this.#metrics.length;
        if (metric > 0xffff) throw new RangeError("more than 65536 metric names");
        this.#metrics.push(r.metric);
        this.#metricIndex.set(r.metric, metric);
      }
      const at = this.#size % this.#chunkSize;
      if (at === 0) {
        const n = this.#chunkSize;
        this.#chunks.push({
          device: new Uint32Array(n),
          metric: new Uint16Array(n),
          ts: new Float64Array(n),
          value: new Float64Array(n),
        });
      }
      const chunk = this.#chunks[this.#chunks.length - 1] as Chunk;
      chunk.device[at] = device;
      chunk.metric[at] = metric;
      chunk.ts[at] = r.ts as number;
      chunk.value[at] = r.value;
      this.#size++;
    }
  }

  /** The readings in batches of at most one chunk (65,536), in recording order. */
  *batches(): Generator<AckedBatch> {
    for (const [i, chunk] of this.#chunks.entries()) {
      const n = Math.min(this.#chunkSize, this.#size - i * this.#chunkSize);
      yield {
        device: Array.from(chunk.device.subarray(0, n)),
        metric: Array.from(chunk.metric.subarray(0, n), (m) => this.#metrics[m] as string),
        ts: Array.from(chunk.ts.subarray(0, n)),
        value: Array.from(chunk.value.subarray(0, n)),
      };
    }
  }
}
