// The chart range picker's presets, shared by the device page (server) and its charts (client).
export const RANGE_PRESETS = [
  { key: "1h", label: "1 h", ms: 3600_000 },
  { key: "6h", label: "6 h", ms: 6 * 3600_000 },
  { key: "24h", label: "24 h", ms: 24 * 3600_000 },
  { key: "7d", label: "7 d", ms: 7 * 86_400_000 },
  { key: "30d", label: "30 d", ms: 30 * 86_400_000 },
  { key: "1y", label: "1 y", ms: 365 * 86_400_000 },
] as const;

export const DEFAULT_RANGE = "1h";

export function rangePreset(key: string | undefined) {
  return RANGE_PRESETS.find((p) => p.key === key) ?? RANGE_PRESETS[0];
}
