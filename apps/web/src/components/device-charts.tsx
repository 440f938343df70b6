"use client";

import { MAX_CHART_RANGE_DAYS } from "@pulseboard/schema/tiers";
import { fromZonedInput, toZonedInput } from "@pulseboard/schema/zoned-time";
import { useState } from "react";
import { labelWithUnit } from "@/lib/chart-format";
import { RANGE_PRESETS, rangePreset } from "@/lib/ranges";
import { type MetricDisplay, resolveDisplay } from "@/lib/units";
import {
  type ChartMarker,
  type ChartSeries,
  TimeSeriesChart,
  type ZoomWindow,
} from "./chart/time-series-chart";
import { ShareToCommunity } from "./community/share-dialog";
import { useLive } from "./live";
import { usePrefs } from "./prefs";

/** Other devices one chart may show beside this one's (each adds a series per metric). */
const MAX_COMPARED = 4;

export type RangeSpec = { preset: string } | { from: number; to: number };

interface Props {
  deviceId: string;
  /** The device's name: legends when comparing devices, CSV file names. */
  deviceName?: string;
  metrics: string[];
  initialRange: RangeSpec;
  /** Per metric (a Map: metric names may be `__proto__` or `constructor`). */
  thresholds: Map<string, number[]>;
  /** Alert moments drawn as labelled red lines ("fired", "resolved"). */
  markers?: ChartMarker[];
  /** Display names and units per metric, resolved; a metric not listed gets the defaults. */
  display?: MetricDisplay[];
  /** The owner's other devices, offered to overlay the same metric of one on the charts. */
  compareDevices?: { id: string; name: string }[];
}

export function DeviceCharts({
  deviceId,
  deviceName,
  metrics: initialMetrics,
  initialRange,
  thresholds,
  markers = [],
  display = [],
  compareDevices = [],
}: Props) {
  // A custom range is typed on the user's clock (settings), whatever the browser's zone.
  const { timeZone } = usePrefs();
  const [metrics, setMetrics] = useState(initialMetrics);
  const [combined, setCombined] = useState<string[]>([]);
  const [compareIds, setCompareIds] = useState<string[]>([]);
  const [range, setRange] = useState<RangeSpec>(initialRange);
  const [customOpen, setCustomOpen] = useState("from" in initialRange);
  const [custom, setCustom] = useState(() => {
    const to = "to" in initialRange ? initialRange.to : Date.now();
    const from = "from" in initialRange ? initialRange.from : to - 86_400_000;
    return { from: toZonedInput(from, timeZone), to: toZonedInput(to, timeZone) };
  });
  const [customError, setCustomError] = useState<string | null>(null);

  // A metric this device starts reporting appears without a reload.
  useLive((event) => {
    if (event.type !== "reading" || event.deviceId !== deviceId) return;
    const added = event.metrics.filter((m) => !metrics.includes(m));
    if (added.length > 0) setMetrics((m) => [...new Set([...m, ...added])].sort());
  });

  function writeUrl(next: RangeSpec) {
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

  function choose(next: RangeSpec) {
    setRange(next);
    writeUrl(next);
  }

  // A chart's zoom shows in the URL like a custom range (a reload opens it); a reset restores it.
  function zoomed(window: ZoomWindow | null) {
    writeUrl(window ?? range);
  }

  function toggleCombined(metric: string, on: boolean) {
    setCombined((c) => (on ? [...new Set([...c, metric])] : c.filter((m) => m !== metric)));
  }

  const displayOf = (metric: string) => display.find((d) => d.metric === metric) ?? resolveDisplay(metric);
  const compared = compareIds.flatMap((id) => compareDevices.filter((d) => d.id === id && d.id !== deviceId));
  const addable = compareDevices.filter((d) => d.id !== deviceId && !compareIds.includes(d.id));
  /** The series of a chart of these metrics: this device's, and each compared device's beside. */
  function seriesOf(chartMetrics: string[]): ChartSeries[] {
    const own = chartMetrics.map((metric) => {
      const d = displayOf(metric);
      return {
        deviceId,
        metric,
        label: compared.length > 0 ? `${deviceName ?? "This device"} · ${d.label}` : d.label,
        unit: d.unit,
        thresholds: thresholds.get(metric) ?? [],
      };
    });
    return [
      ...own,
      ...compared.flatMap((other) =>
        chartMetrics.map((metric) => {
          const d = displayOf(metric);
          return { deviceId: other.id, metric, label: `${other.name} · ${d.label}`, unit: d.unit };
        }),
      ),
    ];
  }

  function applyCustom() {
    const from = fromZonedInput(custom.from, timeZone);
    const to = fromZonedInput(custom.to, timeZone);
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
  const together = combined.filter((m) => metrics.includes(m));
  const charts: string[][] = [
    ...(together.length > 0 ? [together] : []),
    ...metrics.filter((m) => !together.includes(m)).map((m) => [m]),
  ];

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
        {compareDevices.some((d) => d.id !== deviceId) && metrics.length > 0 && (
          <div className="row small chart-compare" data-testid="chart-compare">
            {compared.map((d) => (
              <span key={d.id} className="tag">
                {d.name}{" "}
                <button
                  type="button"
                  className="tag-remove"
                  aria-label={`Stop comparing with ${d.name}`}
                  onClick={() => setCompareIds((ids) => ids.filter((id) => id !== d.id))}
                >
                  ×
                </button>
              </span>
            ))}
            {addable.length > 0 && compared.length < MAX_COMPARED && (
              <label className="row small">
                <span>Compare with</span>
                <select
                  value=""
                  onChange={(e) => {
                    const id = e.target.value;
                    if (id) setCompareIds((ids) => [...ids, id]);
                  }}
                >
                  <option value="">{compared.length > 0 ? "another device…" : "no other device"}</option>
                  {addable.map((d) => (
                    <option key={d.id} value={d.id}>
                      {d.name}
                    </option>
                  ))}
                </select>
              </label>
            )}
          </div>
        )}
      </div>
      {metrics.length > 1 && (
        <fieldset className="chart-combine small" data-testid="chart-combine">
          <legend>Combine on one chart</legend>
          {metrics.map((m) => (
            <label key={m} className="chart-combine-option">
              <input
                type="checkbox"
                checked={together.includes(m)}
                onChange={(e) => toggleCombined(m, e.target.checked)}
              />
              {displayOf(m).label}
            </label>
          ))}
        </fieldset>
      )}
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
        charts.map((chartMetrics) => (
          <TimeSeriesChart
            key={`${chartMetrics.join("|")}|${compareIds.join("|")}`}
            series={seriesOf(chartMetrics)}
            title={chartMetrics.map((m) => labelWithUnit(displayOf(m).label, displayOf(m).unit)).join(" · ")}
            from={window_.from}
            to={window_.to}
            relativeMs={"relativeMs" in window_ ? window_.relativeMs : undefined}
            markers={markers}
            name={deviceName}
            onZoom={zoomed}
            actions={
              chartMetrics.length === 1 && compared.length === 0
                ? (shown) => (
                    <ShareToCommunity
                      label="Share"
                      source={{
                        kind: "chart",
                        deviceId,
                        metric: chartMetrics[0] ?? "",
                        from: new Date(shown.from).toISOString(),
                        to: new Date(shown.to).toISOString(),
                      }}
                    />
                  )
                : undefined
            }
          />
        ))
      )}
    </div>
  );
}
