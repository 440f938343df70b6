import { describe, expect, it } from "vitest";
import { AckedReadings } from "./acked-readings";

const all = (log: AckedReadings) =>
  [...log.batches()].flatMap((b) =>
    b.device.map((device, i) => ({ device, metric: b.metric[i], ts: b.ts[i], value: b.value[i] })),
  );

describe("AckedReadings", () => {
  it("gives back every reading as recorded, across chunks, values and times bit for bit", () => {
    const log = new AckedReadings(["dk_a", "dk_b"], { chunkSize: 3 });
    const t = 1_764_774_000_123;
    log.add("dk_b", [
      { metric: "temperature", value: 21.47, ts: t },
      { metric: "co2", value: 512, ts: t },
    ]);
    log.add("dk_a", [
      { metric: "temperature", value: 0.1 + 0.2, ts: t + 1 },
      { metric: "pressure", value: -1013.2, ts: t + 1 },
      { metric: "co2", value: 5e-324, ts: t + 2 },
    ]);
    log.add("dk_b", []);
    log.add("dk_a", [{ metric: "humidity", value: 41.2, ts: t + 3 }]);
    expect(log.size).toBe(6);
    expect([...log.batches()].map((b) => b.device.length)).toEqual([3, 3]);
    expect(all(log)).toEqual([
      { device: 1, metric: "temperature", value: 21.47, ts: t },
      { device: 1, metric: "co2", value: 512, ts: t },
      { device: 0, metric: "temperature", value: 0.1 + 0.2, ts: t + 1 },
      { device: 0, metric: "pressure", value: -1013.2, ts: t + 1 },
      { device: 0, metric: "co2", value: 5e-324, ts: t + 2 },
      { device: 0, metric: "humidity", value: 41.2, ts: t + 3 },
    ]);
  });

  it("holds nothing when nothing was acknowledged, and a partly filled last chunk only to its end", () => {
    const log = new AckedReadings(["dk_a"], { chunkSize: 4 });
    expect([...log.batches()]).toEqual([]);
    log.add("dk_a", [{ metric: "m", value: 1, ts: 1 }]);
    expect(all(log)).toEqual([{ device: 0, metric: "m", value: 1, ts: 1 }]);
  });

  it("refuses readings it could not check: no time, or a device it does not know", () => {
    const log = new AckedReadings(["dk_a"]);
    expect(() => log.add("dk_a", [{ metric: "m", value: 1, ts: null }])).toThrow(/timed shape/);
    expect(() => log.add("dk_z", [{ metric: "m", value: 1, ts: 1 }])).toThrow(RangeError);
    expect(log.size).toBe(0);
  });
});
