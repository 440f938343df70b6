import { describe, expect, it } from "vitest";
import { devicesToEvaluate, RuleMetricsCache } from "./rule-metrics";

const sets = (entries: [string, string[]][]) => new Map(entries.map(([k, v]) => [k, new Set(v)]));

describe("devicesToEvaluate", () => {
  it("names the devices with a rule on one of their touched metrics, each once", () => {
    const touched = sets([
      ["a", ["t", "u"]],
      ["b", ["t"]],
      ["c", ["co2"]],
    ]);
    const rules = sets([
      ["a", ["u", "x"]],
      ["b", ["co2"]],
      ["c", []],
    ]);
    expect(devicesToEvaluate(touched, rules)).toEqual(["a"]);
    expect(devicesToEvaluate(touched, new Map())).toEqual([]);
  });
});

describe("RuleMetricsCache", () => {
  function counting(rules: { deviceId: string; metric: string }[]) {
    const asked: string[][] = [];
    const load = async (ids: readonly string[]) => {
      asked.push([...ids]);
      return rules.filter((r) => ids.includes(r.deviceId));
    };
    return { asked, load };
  }

  it("asks only for devices it does not remember, and again once their answer is older than the TTL", async () => {
    const { asked, load } = counting([
      { deviceId: "a", metric: "t" },
      { deviceId: "a", metric: "u" },
    ]);
    const cache = new RuleMetricsCache({ load, ttlMs: 1000 });
    const first = await cache.metricsOf(["a", "b"], 0);
    expect(first.get("a")).toEqual(new Set(["t", "u"]));
    expect(first.get("b")).toEqual(new Set());
    const remembered = new Map<string, number>();
    await cache.metricsOf(["a", "b", "c"], 999, remembered);
    expect(asked).toEqual([["a", "b"], ["c"]]);
    // Answers from memory say when that memory ends; "c", loaded now, is not among them.
    expect(remembered).toEqual(
      new Map([
        ["a", 1000],
        ["b", 1000],
      ]),
    );
    await cache.metricsOf(["a", "c"], 1000);
    expect(asked).toEqual([["a", "b"], ["c"], ["a"]]);
  });

  it("loads a large lookup in batches and forgets everything past its bound", async () => {
    const { asked, load } = counting([]);
    const cache = new RuleMetricsCache({ load, ttlMs: 60_000, maxBatch: 2, maxEntries: 3 });
    await cache.metricsOf(["a", "b", "c"], 0);
    expect(asked).toEqual([["a", "b"], ["c"]]);
    // "d" does not fit: what was remembered is dropped, so "a" is asked again next time.
    await cache.metricsOf(["d"], 1);
    await cache.metricsOf(["a"], 2);
    expect(asked.slice(2)).toEqual([["d"], ["a"]]);
  });
});
