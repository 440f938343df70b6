"use client";

import { MAX_CHART_RANGE_DAYS } from "@pulseboard/schema/tiers";
import { useState } from "react";
import { toDatetimeLocal } from "@/lib/format";
import { RANGE_PRESETS, rangePreset } from "@/lib/ranges";
import { useLive } from "./live";
import { MetricChart } from "./metric-chart";

export type RangeSpec = { preset: string } | { from: number; to: number };

interface Props {
  deviceId: string;
  metrics: string[];
  initialRange: RangeSpec;
  /** Per metric (a Map: metric names may be `__proto__` or `constructor`). */
  thresholds: Map<string, number[]>;
  markers?: number[];
}

export function DeviceCharts({
  deviceId,
  metrics: initialMetrics,
  initialRange,
  thresholds,
  markers = [],
}: Props) {
  const [metrics, setMetrics] = useState(initialMetrics);
  const [range, setRange] = useState<RangeSpec>(initialRange);
  const [customOpen, setCustomOpen] = useState("from" in initialRange);
  const [custom, setCustom] = useState(() => {
    const to = "to" in initialRange ? initialRange.to : Date.now();
    const from = "from" in initialRange ? initialRange.from : to - 86_400_000;
    return { from: toDatetimeLocal(from), to: toDatetimeLocal(to) };
  });
  const [customError, setCustomError] = useState<string | null>(null);

  // A metric this device starts reporting appears without a reload.
  useLive((event) => {
    if (event.type !== "reading" || event.deviceId !== deviceId) return;
    const added = event.metrics.filter((m) => !metrics.includes(m));
    if (added.length > 0) setMetrics((m) => [...new Set([...m, ...added])].sort());
  });

  function choose(next: RangeSpec) {
    setRange(next);
    const params = new URLSearchParams(window.location.search);
    params.delete("alert");
    if ("preset" in next) {
      params.set("range", next.preset);
      params.delete("from");
      params.delete("to");
    } else {
      params.delete("range");
      params.set("from", new Date(next.from).toISOString());
      params.set("to", new Date(next.to).toISOString());
    }
    window.history.replaceState(null, "", `?${params}`);
  }

  function applyCustom() {
    const from = new Date(custom.from).getTime();
    const to = new Date(custom.to).getTime();
    if (!Number.isFinite(from) || !Number.isFinite(to))
      return setCustomError("Pick both a start and an end.");
    if (from >= to) return setCustomError("The start must be before the end.");
    if (to - from > MAX_CHART_RANGE_DAYS * 86_400_000)
      return setCustomError(`A chart spans at most ${MAX_CHART_RANGE_DAYS} days.`);
    setCustomError(null);
    choose({ from, to });
  }

  const preset = "preset" in range ? rangePreset(range.preset) : undefined;
  const now = Date.now();
  const window_ = preset
    ? { from: now - preset.ms, to: now, relativeMs: preset.ms }
    : (range as { from: number; to: number });

  return (
    <div className="stack">
      <div className="row" style={{ justifyContent: "space-between" }}>
        <fieldset className="segmented" aria-label="Time range" style={{ padding: 0, margin: 0 }}>
          {RANGE_PRESETS.map((p) => (
            <button
              key={p.key}
              type="button"
              aria-pressed={preset?.key === p.key}
              onClick={() => {
                setCustomOpen(false);
                choose({ preset: p.key });
              }}
            >
              {p.label}
            </button>
          ))}
          <button type="button" aria-pressed={!preset} onClick={() => setCustomOpen((o) => !o)}>
            Custom
          </button>
        </fieldset>
      </div>
      {customOpen && (
        <div className="card form-inline">
          <label className="field">
            <span>From</span>
            <input
              type="datetime-local"
              value={custom.from}
              onChange={(e) => setCustom((c) => ({ ...c, from: e.target.value }))}
            />
          </label>
          <label className="field">
            <span>To</span>
            <input
              type="datetime-local"
              value={custom.to}
              onChange={(e) => setCustom((c) => ({ ...c, to: e.target.value }))}
            />
          </label>
          <button type="button" className="btn btn-primary" onClick={applyCustom}>
            Show
          </button>
          {customError && <p className="error">{customError}</p>}
        </div>
      )}
      {metrics.length === 0 ? (
        <p className="card empty" data-testid="no-metrics">
          No readings yet. Publish one with the device key and its chart appears here.
        </p>
      ) : (
        metrics.map((metric) => (
          <MetricChart
            key={metric}
            deviceId={deviceId}
            metric={metric}
            from={window_.from}
            to={window_.to}
            relativeMs={"relativeMs" in window_ ? window_.relativeMs : undefined}
            thresholds={thresholds.get(metric) ?? []}
            markers={markers}
          />
        ))
      )}
    </div>
  );
}
