import { describe, expect, it } from "vitest";
import { neverReportedWarning, ruleState } from "./rule-state";

const rule = { metric: "temperature", windowSeconds: 300 };
const now = Date.parse("2026-12-04T12:00:00Z");

describe("ruleState", () => {
  it("is firing while an alert is open, whatever the data", () => {
    expect(ruleState(rule, { firing: true, latestAt: null, now })).toEqual({ state: "firing", detail: null });
  });

  it("is no data when the metric was never reported", () => {
    expect(ruleState(rule, { firing: false, latestAt: undefined, now })).toEqual({
      state: "no data",
      detail: "the device never reported temperature",
    });
  });

  it("says when the metric was reported, only not for weeks", () => {
    expect(ruleState(rule, { firing: false, latestAt: null, reported: true, now })).toEqual({
      state: "no data",
      detail: "no temperature reading for weeks",
    });
  });

  it("is no data when the latest reading is older than the window", () => {
    const latestAt = new Date(now - 301_000);
    expect(ruleState(rule, { firing: false, latestAt, now }).state).toBe("no data");
  });

  it("is ok with a reading inside the window", () => {
    const latestAt = new Date(now - 299_000).toISOString();
    expect(ruleState(rule, { firing: false, latestAt, now })).toEqual({ state: "ok", detail: null });
  });
});

describe("neverReportedWarning", () => {
  it("names the metric", () => {
    expect(neverReportedWarning("tempreature")).toContain('"tempreature"');
  });
});
