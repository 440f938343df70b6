import { describe, expect, it } from "vitest";
import { defaultUnit, resolveDisplay, withUnit } from "./units";

describe("defaultUnit", () => {
  it("knows the well-known names", () => {
    expect(defaultUnit("temperature")).toBe("°C");
    expect(defaultUnit("temp")).toBe("°C");
    expect(defaultUnit("soil_temperature")).toBe("°C");
    expect(defaultUnit("temp_f")).toBe("°F");
    expect(defaultUnit("humidity")).toBe("%");
    expect(defaultUnit("co2")).toBe("ppm");
    expect(defaultUnit("pressure")).toBe("hPa");
    expect(defaultUnit("heart_rate")).toBe("bpm");
    expect(defaultUnit("battery")).toBe("%");
    expect(defaultUnit("Humidity")).toBe("%");
  });

  it("takes the specific name before the broad one", () => {
    expect(defaultUnit("battery_voltage")).toBe("V");
    expect(defaultUnit("battery_current")).toBe("A");
    expect(defaultUnit("battery_level")).toBe("%");
    expect(defaultUnit("temperature_f")).toBe("°F");
  });

  it("gives none for a name it does not know", () => {
    expect(defaultUnit("zone_a")).toBe("");
    expect(defaultUnit("constructor")).toBe("");
    expect(defaultUnit("tempreature")).toBe("");
    expect(defaultUnit("level")).toBe("");
  });
});

describe("resolveDisplay", () => {
  it("takes the owner's name and unit where set", () => {
    expect(resolveDisplay("t1", { metric: "t1", displayName: "Soil", unit: "°F" })).toEqual({
      metric: "t1",
      label: "Soil",
      unit: "°F",
    });
  });

  it("falls back to the metric's name and its default unit", () => {
    expect(resolveDisplay("humidity")).toEqual({ metric: "humidity", label: "humidity", unit: "%" });
    expect(resolveDisplay("humidity", { metric: "humidity", displayName: " ", unit: null })).toEqual({
      metric: "humidity",
      label: "humidity",
      unit: "%",
    });
  });

  it("keeps an owner's empty unit: no unit, not the default", () => {
    expect(resolveDisplay("temperature", { metric: "temperature", displayName: null, unit: "" }).unit).toBe(
      "",
    );
  });
});

describe("withUnit", () => {
  it("appends the unit after a space, nothing without one", () => {
    expect(withUnit("21.4", "°C")).toBe("21.4 °C");
    expect(withUnit("12", "")).toBe("12");
  });
});
