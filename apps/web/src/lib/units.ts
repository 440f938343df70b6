// How a metric reads on charts and in rules: a display name and a unit. The owner may set both
// per metric name (metric_display, queries/metric-display.ts); what they leave empty falls back
// to a default for well-known names, then to the metric's own name and no unit.

export interface MetricDisplay {
  metric: string;
  /** What charts and rules call it: the owner's name, or the metric's own. */
  label: string;
  /** Appended to values ("21.4 °C"); empty for none. */
  unit: string;
}

/** The owner's settings for a metric, as stored (null: not set). */
export interface MetricDisplaySetting {
  metric: string;
  displayName: string | null;
  unit: string | null;
}

// Well-known metric names (as devices commonly send them) and their usual units.
// Well-known metric names (as devices commonly send them) and their usual units. The first
// match wins: specific names before broad ones ("battery_voltage" is volts, not a percentage).
const DEFAULT_UNITS: [RegExp, string][] = [
  [/^(temp|temperature)_f(ahrenheit)?$/, "°F"],
  [/^(temp|temperature)(_c|_celsius)?$|_temp(erature)?$|^temperature_/, "°C"],
  [/voltage|^volts?$|_volts?$/, "V"],
  [/^current$|_current$|^amps?$|_amps?$/, "A"],
  [/^power(_w)?$|_watts?$/, "W"],
  [/^(energy|kwh)$|_kwh$/, "kWh"],
  [/humidity|^rh$/, "%"],
  [/^(co2|eco2|tvoc)(_ppm)?$|_ppm$/, "ppm"],
  [/pressure|^baro(meter)?$|_hpa$/, "hPa"],
  [/^(heart_rate|hr|bpm|pulse)$/, "bpm"],
  [/^battery(_level|_pct|_percent)?$|^soc$|_pct$|_percent$/, "%"],
  [/^(lux|illuminance|light)$/, "lx"],
  [/^(rssi|signal)$/, "dBm"],
  [/^(spo2|oxygen)$/, "%"],
  [/^steps$/, "steps"],
  [/^(speed|wind_speed)$/, "m/s"],
  [/^(pm1|pm2_?5|pm10)$/, "µg/m³"],
];

/** The usual unit of a well-known metric name, or "" when it is not one. */
export function defaultUnit(metric: string): string {
  const name = metric.toLowerCase();
  for (const [pattern, unit] of DEFAULT_UNITS) if (pattern.test(name)) return unit;
  return "";
}

/** A metric's display: the owner's settings where set, defaults elsewhere. */
export function resolveDisplay(metric: string, setting?: MetricDisplaySetting | null): MetricDisplay {
  const label = setting?.displayName?.trim() || metric;
  const unit =
    setting?.unit === null || setting?.unit === undefined ? defaultUnit(metric) : setting.unit.trim();
  return { metric, label, unit };
}

/** A value with its unit: "21.4 °C", "55 %", "12" (the number formatted by the caller). */
export function withUnit(formatted: string, unit: string): string {
  if (!unit) return formatted;
  return `${formatted} ${unit}`;
}
