"use client";

import "uplot/dist/uPlot.min.css";
import { errorMessage } from "@pulseboard/runtime/errors";
import { type ReactNode, useCallback, useEffect, useMemo, useRef, useState } from "react";
import uPlot from "uplot";
import { appendBuckets } from "@/lib/chart-buckets";
import { chartCsv, chartCsvFileName } from "@/lib/chart-csv";
import {
  type AlignedChart,
  alignSeries,
  type ChartPoint,
  isLiveRange,
  isolatedIndices,
  type UnitScale,
  unitScales,
  yRange,
} from "@/lib/chart-data";
import {
  bucketSpan,
  bucketWords,
  labelWithUnit,
  seriesColor,
  timeTicks,
  valueWithUnit,
  withAlpha,
} from "@/lib/chart-format";
import { formatValue } from "@/lib/format";
import { withUnit } from "@/lib/units";
import { useLive } from "../live";
import { usePrefs } from "../prefs";

// One chart of one or more series (a metric of a device each) over a time range, drawn by uPlot:
// per series the average line and the min–max band; rule thresholds (dashed) and alert markers
// (vertical) in red; a crosshair whose bucket the legend details; drag to zoom (refetched at the
// finer bucket the narrower range gets); live updates; the points as CSV.

export interface ChartSeries {
  deviceId: string;
  metric: string;
  /** Display name (legend, title, CSV header). */
  label: string;
  /** "" for none. Series of one unit share a y axis; each other unit gets its own. */
  unit: string;
  color?: string | undefined;
  /** Rule thresholds drawn across the chart on this series' axis. */
  thresholds?: readonly number[] | undefined;
}

export interface ChartMarker {
  /** Epoch ms. */
  at: number;
  label: string;
}

export interface ZoomWindow {
  from: number;
  to: number;
}

interface Props {
  series: readonly ChartSeries[];
  /** Epoch ms; with `relativeMs` the window slides: [now - relativeMs, now). */
  from: number;
  to: number;
  relativeMs?: number | undefined;
  markers?: readonly ChartMarker[];
  /** Heading; by default the series' labels with their units. */
  title?: string | undefined;
  /** The CSV file name's first part (a device's name); by default the first series' label. */
  name?: string | undefined;
  /** Called with the zoomed window after a drag, and null when the zoom is reset. */
  onZoom?: ((window: ZoomWindow | null) => void) | undefined;
  /**
   * Points given, not fetched (a snapshot shared into the community): per series, in the order of
   * `series`, over [from, to]; nothing is fetched, nothing is live, a drag does not zoom.
   */
  fixed?: { bucketSeconds: number; points: readonly ChartPoint[][] } | undefined;
  /** More controls beside CSV, given the range shown (zoomed or not). */
  actions?: ((range: ZoomWindow) => ReactNode) | undefined;
}

interface Loaded {
  /** Which chart the points are of (series, range): an update applies only to its own. */
  key: string;
  bucketSeconds: number;
  from: number;
  to: number;
  /** Per series, in the order of `series`. */
  points: ChartPoint[][];
}

interface Answer {
  bucketSeconds: number;
  points: ChartPoint[];
}

const MIN_ZOOM_MS = 10_000;

async function fetchReadings(
  s: ChartSeries,
  from: number,
  to: number,
  options: { bucket?: number; since?: string; signal: AbortSignal },
): Promise<Answer> {
  const query = new URLSearchParams({
    metric: s.metric,
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
  });
  if (options.bucket) query.set("bucket", String(options.bucket));
  if (options.since) query.set("since", options.since);
  const res = await fetch(`/api/devices/${encodeURIComponent(s.deviceId)}/readings?${query}`, {
    signal: options.signal,
  });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body.error ?? `HTTP ${res.status}`);
  return body as Answer;
}

/**
 * Touch: a sideways swipe across the plot selects the window to zoom to, as a mouse drag does
 * (uPlot's drag is mouse-only). The plot area pans the page vertically only (`touch-action:
 * pan-y` in globals.css), so an up-and-down swipe still scrolls. Returns the detach function.
 */
function attachTouchZoom(u: uPlot, onSelect: (from: number, to: number) => void): () => void {
  const over = u.over;
  let startX: number | null = null;
  const localX = (t: Touch) => t.clientX - over.getBoundingClientRect().left;
  const clear = () => u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
  const onStart = (e: TouchEvent) => {
    const t = e.touches[0];
    startX = e.touches.length === 1 && t ? localX(t) : null;
  };
  const onMove = (e: TouchEvent) => {
    const t = e.touches[0];
    if (startX === null || !t) return;
    const x = Math.max(0, Math.min(over.clientWidth, localX(t)));
    u.setSelect(
      { left: Math.min(startX, x), width: Math.abs(x - startX), top: 0, height: over.clientHeight },
      false,
    );
  };
  const onEnd = () => {
    const { left, width } = u.select;
    clear();
    if (startX !== null && width > 10)
      onSelect(Math.round(u.posToVal(left, "x") * 1000), Math.round(u.posToVal(left + width, "x") * 1000));
    startX = null;
  };
  const onCancel = () => {
    clear();
    startX = null;
  };
  over.addEventListener("touchstart", onStart, { passive: true });
  over.addEventListener("touchmove", onMove, { passive: true });
  over.addEventListener("touchend", onEnd);
  over.addEventListener("touchcancel", onCancel);
  return () => {
    over.removeEventListener("touchstart", onStart);
    over.removeEventListener("touchmove", onMove);
    over.removeEventListener("touchend", onEnd);
    over.removeEventListener("touchcancel", onCancel);
  };
}

function plotHeight(width: number): number {
  return width < 520 ? 200 : 240;
}

/** uPlot's options for the chart's series, scales, axes and overlays. */
function chartOptions(
  series: readonly ChartSeries[],
  scales: UnitScale[],
  markers: readonly ChartMarker[],
  width: number,
  refs: {
    range: { current: { from: number; to: number } };
    onSelect: { current: (from: number, to: number) => void };
    onHover: { current: (idx: number | null) => void };
  },
  view: { timeZone: string; locale: string },
): uPlot.Options {
  // The theme's colours (globals.css), read when the chart is built.
  const css = getComputedStyle(document.documentElement);
  const cssColor = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  const muted = cssColor("--muted", "#5d6b7a");
  const grid = cssColor("--border", "#e7eaee");
  const bad = cssColor("--bad", "#b91c1c");
  const font = "11px ui-sans-serif, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
  const scaleOf = (i: number) => scales.find((sc) => sc.series.includes(i))?.key ?? "y0";
  const uSeries: uPlot.Series[] = [{}];
  const bands: uPlot.Band[] = [];
  series.forEach((s, i) => {
    const color = s.color ?? seriesColor(i);
    const base = uSeries.length;
    uSeries.push(
      {
        label: s.label,
        scale: scaleOf(i),
        stroke: color,
        width: 1.75,
        spanGaps: false,
        points: {
          size: 5,
          fill: color,
          // Dense lines show no points; a lone bucket still shows as a dot.
          filter: (u, si, show) => (show ? null : isolatedIndices(Array.from(u.data[si] ?? []))),
        },
      },
      {
        label: `${s.label} min`,
        scale: scaleOf(i),
        stroke: withAlpha(color, 0.35),
        width: 0,
        spanGaps: false,
        points: { show: false, stroke: "transparent", fill: "transparent" },
      },
      {
        label: `${s.label} max`,
        scale: scaleOf(i),
        stroke: withAlpha(color, 0.35),
        width: 0,
        spanGaps: false,
        points: { show: false, stroke: "transparent", fill: "transparent" },
      },
    );
    bands.push({ series: [base + 2, base + 1], fill: withAlpha(color, 0.18) });
  });

  const yScales: uPlot.Scales = {};
  for (const sc of scales) {
    const thresholds = sc.series.flatMap((i) => series[i]?.thresholds ?? []);
    yScales[sc.key] = { auto: true, range: (_u, min, max) => yRange(min, max, thresholds) };
  }

  const yAxes: uPlot.Axis[] = scales.map((sc, n) => ({
    scale: sc.key,
    side: sc.side === "left" ? 3 : 1,
    stroke: muted,
    font,
    gap: 4,
    grid: { show: n === 0, stroke: grid, width: 1 },
    ticks: { show: false },
    values: (_u, splits) => splits.map((v) => withUnit(formatValue(v, view.locale), sc.unit)),
    size: (_u, values) => {
      const longest = Math.max(3, ...(values ?? []).map((v) => String(v).length));
      return Math.ceil(longest * 6.4) + 12;
    },
  }));

  return {
    width,
    height: plotHeight(width),
    series: uSeries,
    bands,
    legend: { show: false },
    // Time axes in the user's time zone (settings), not the browser's.
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), view.timeZone),
    padding: [12, scales.length > 1 ? 4 : 14, 0, 4],
    scales: {
      x: {
        time: true,
        auto: true,
        range: () => [refs.range.current.from / 1000, refs.range.current.to / 1000],
      },
      ...yScales,
    },
    axes: [
      {
        stroke: muted,
        font,
        // Labels in the user's locale and zone (settings), days said where they change.
        values: (_u, splits, _axis, _space, incr) => timeTicks(splits, incr, view.locale, view.timeZone),
        space: 64,
        gap: 4,
        grid: { stroke: grid, width: 1 },
        ticks: { stroke: grid, size: 4 },
      },
      ...yAxes,
    ],
    cursor: {
      drag: { x: true, y: false, setScale: false, dist: 5 },
      points: { size: 7 },
    },
    hooks: {
      setSelect: [
        (u) => {
          const { left, width: w } = u.select;
          if (w < 5) return;
          const from = Math.round(u.posToVal(left, "x") * 1000);
          const to = Math.round(u.posToVal(left + w, "x") * 1000);
          u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
          refs.onSelect.current(from, to);
        },
      ],
      setCursor: [
        (u) => {
          const idx = u.cursor.idx;
          refs.onHover.current(idx === undefined || idx === null ? null : idx);
        },
      ],
      draw: [
        (u) => {
          const { ctx, bbox } = u;
          const px = uPlot.pxRatio;
          ctx.save();
          ctx.beginPath();
          ctx.rect(bbox.left, bbox.top, bbox.width, bbox.height);
          ctx.clip();
          ctx.strokeStyle = bad;
          ctx.fillStyle = bad;
          ctx.lineWidth = 1.25 * px;
          // Thresholds: dashed, across, on their series' axis.
          ctx.setLineDash([5 * px, 4 * px]);
          for (const sc of scales) {
            for (const v of new Set(sc.series.flatMap((i) => series[i]?.thresholds ?? []))) {
              const y = Math.round(u.valToPos(v, sc.key, true)) + 0.5;
              ctx.beginPath();
              ctx.moveTo(bbox.left, y);
              ctx.lineTo(bbox.left + bbox.width, y);
              ctx.stroke();
            }
          }
          // Markers: solid, upright, labelled at the top.
          ctx.setLineDash([]);
          ctx.lineWidth = 1.5 * px;
          ctx.font = `${11 * px}px ui-sans-serif, system-ui, sans-serif`;
          ctx.textBaseline = "top";
          for (const m of markers) {
            const x = Math.round(u.valToPos(m.at / 1000, "x", true)) + 0.5;
            if (x < bbox.left || x > bbox.left + bbox.width) continue;
            ctx.beginPath();
            ctx.moveTo(x, bbox.top);
            ctx.lineTo(x, bbox.top + bbox.height);
            ctx.stroke();
            const room = bbox.left + bbox.width - x;
            const text = ctx.measureText(m.label).width;
            ctx.textAlign = room < text + 8 * px ? "right" : "left";
            ctx.fillText(m.label, x + (ctx.textAlign === "right" ? -4 : 4) * px, bbox.top + 2 * px);
          }
          ctx.restore();
        },
      ],
    },
  };
}

export function TimeSeriesChart({
  series,
  from,
  to,
  relativeMs,
  markers = [],
  title,
  name,
  onZoom,
  fixed,
  actions,
}: Props) {
  const [data, setData] = useState<Loaded | null>(() =>
    fixed
      ? {
          key: `${series.map((s) => `${s.deviceId}/${s.metric}`).join("|")}||${from}|${to}`,
          bucketSeconds: fixed.bucketSeconds,
          from,
          to,
          points: fixed.points.map((p) => [...p]),
        }
      : null,
  );
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [hover, setHover] = useState<number | null>(null);
  const [zoom, setZoom] = useState<(ZoomWindow & { base: string }) | null>(null);
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const inFlight = useRef<AbortController | null>(null);
  const throttle = useRef<{ last: number; full: boolean; timer?: ReturnType<typeof setTimeout> }>({
    last: 0,
    full: false,
  });
  const shown = useRef<Loaded | null>(null);
  shown.current = data;

  const seriesKey = series.map((s) => `${s.deviceId}/${s.metric}`).join("|");
  // A sliding window is recomputed at each load; its from/to props change on every render and
  // must not trigger one.
  const baseKey = `${seriesKey}|${relativeMs ?? ""}|${relativeMs ? 0 : from}|${relativeMs ? 0 : to}`;
  const zoomed = zoom && zoom.base === baseKey ? zoom : null;
  const relative = zoomed ? undefined : relativeMs;
  const fixedFrom = zoomed ? zoomed.from : relativeMs ? 0 : from;
  const fixedTo = zoomed ? zoomed.to : relativeMs ? 0 : to;
  const key = `${seriesKey}|${relative ?? ""}|${fixedFrom}|${fixedTo}`;
  const prefs = usePrefs();
  const viewRef = useRef({ timeZone: prefs.timeZone, locale: prefs.locale });
  viewRef.current = { timeZone: prefs.timeZone, locale: prefs.locale };
  const seriesRef = useRef(series);
  seriesRef.current = series;

  // "full": the whole range, the first series choosing the bucket and the others asked for the
  // same. "update" (live readings): per series only the buckets from its last one shown on
  // (`since`), which is re-read (it may have been partial, or lagging); the rest is kept.
  const load = useCallback(
    async (mode: "full" | "update") => {
      if (fixed) return;
      const list = seriesRef.current;
      const first = list[0];
      if (!first) return;
      inFlight.current?.abort();
      const controller = new AbortController();
      inFlight.current = controller;
      const signal = controller.signal;
      const end = relative ? Date.now() : fixedTo;
      const start = relative ? end - relative : fixedFrom;
      const current = shown.current?.key === key ? shown.current : null;
      setLoading(true);
      try {
        if (mode === "update" && current) {
          const bucket = current.bucketSeconds;
          const answers = await Promise.all(
            list.map(async (s, i) => {
              const since = current.points[i]?.at(-1)?.t;
              const answer = await fetchReadings(s, start, end, {
                bucket,
                signal,
                ...(since ? { since } : {}),
              });
              return { answer, since };
            }),
          );
          if (answers.some((a) => a.answer.bucketSeconds !== bucket)) return void load("full");
          setData({
            key,
            bucketSeconds: bucket,
            from: start,
            to: end,
            points: answers.map(({ answer, since }, i) =>
              since
                ? appendBuckets(current.points[i] ?? [], answer.points, since, start, bucket)
                : answer.points,
            ),
          });
        } else {
          const head = await fetchReadings(first, start, end, { signal });
          const bucket = head.bucketSeconds;
          const rest = await Promise.all(
            list.slice(1).map((s) => fetchReadings(s, start, end, { bucket, signal })),
          );
          setData({
            key,
            bucketSeconds: bucket,
            from: start,
            to: end,
            points: [head.points, ...rest.map((r) => r.points)],
          });
        }
        setError(null);
      } catch (e) {
        if (signal.aborted) return;
        setError(errorMessage(e));
      } finally {
        if (!signal.aborted) setLoading(false);
      }
    },
    [relative, fixedFrom, fixedTo, key, fixed],
  );

  useEffect(() => {
    void load("full");
    return () => inFlight.current?.abort();
  }, [load]);
  const loadRef = useRef(load);
  loadRef.current = load;

  // New readings of a series shown: fetch at most every 2 s, while the range is live.
  useLive((event) => {
    if (fixed) return;
    const relevant =
      event.type === "resync" ||
      (event.type === "reading" &&
        series.some((s) => s.deviceId === event.deviceId && event.metrics.includes(s.metric)));
    if (!relevant) return;
    if (event.type !== "resync" && !isLiveRange({ to: fixedTo, relativeMs: relative }, Date.now())) return;
    // A reconnect may have missed anything: the whole range again. New readings: the new buckets.
    if (event.type === "resync") throttle.current.full = true;
    const t = throttle.current;
    if (t.timer) return;
    t.timer = setTimeout(
      () => {
        t.timer = undefined;
        t.last = Date.now();
        const full = t.full;
        t.full = false;
        void loadRef.current(full ? "full" : "update");
      },
      Math.max(0, t.last + 2000 - Date.now()),
    );
  });
  useEffect(() => () => clearTimeout(throttle.current.timer), []);

  const current = data?.key === key ? data : null;
  const aligned = useMemo(
    () => (data ? alignSeries(data.points, data.bucketSeconds, data.from, data.to) : null),
    [data],
  );
  const scales = useMemo(() => unitScales(series), [series]);

  // What uPlot's callbacks read: kept current without rebuilding the chart.
  const rangeRef = useRef({ from, to });
  // The x range: the loaded points' own; while a new range loads, that range already (the old
  // points shown in it until the new ones come).
  rangeRef.current = current
    ? { from: current.from, to: current.to }
    : relative
      ? { from: Date.now() - relative, to: Date.now() }
      : { from: fixedFrom, to: fixedTo };
  const alignedRef = useRef(aligned);
  alignedRef.current = aligned;
  const onSelect = useRef((_from: number, _to: number) => {});
  onSelect.current = (a, b) => {
    if (fixed) return;
    let [lo, hi] = [Math.min(a, b), Math.max(a, b)];
    if (hi - lo < MIN_ZOOM_MS) [lo, hi] = [(lo + hi) / 2 - MIN_ZOOM_MS / 2, (lo + hi) / 2 + MIN_ZOOM_MS / 2];
    lo = Math.round(lo);
    hi = Math.round(hi);
    setZoom({ base: baseKey, from: lo, to: hi });
    onZoom?.({ from: lo, to: hi });
  };
  const onHover = useRef((_idx: number | null) => {});
  onHover.current = setHover;

  // The uPlot instance: (re)built in the browser when what it is configured with changes.
  const markersRef = useRef(markers);
  markersRef.current = markers;
  // A new time zone or locale (settings) redraws the axes too.
  const config = JSON.stringify({
    series: series.map((s) => [s.label, s.unit, s.color, s.thresholds]),
    markers,
    view: viewRef.current,
  });
  useEffect(() => {
    const el = box.current;
    if (!el || !config) return;
    const width = Math.max(240, el.clientWidth);
    const u = new uPlot(
      chartOptions(
        seriesRef.current,
        unitScales(seriesRef.current),
        markersRef.current,
        width,
        {
          range: rangeRef,
          onSelect,
          onHover,
        },
        viewRef.current,
      ),
      toUPlotData(alignedRef.current, seriesRef.current.length, rangeRef.current),
      el,
    );
    plot.current = u;
    const detachTouch = attachTouchZoom(u, (a, b) => onSelect.current(a, b));
    const observer = new ResizeObserver(([entry]) => {
      if (!entry) return;
      const w = Math.max(240, Math.floor(entry.contentRect.width));
      if (w !== u.width) u.setSize({ width: w, height: plotHeight(w) });
    });
    observer.observe(el);
    return () => {
      observer.disconnect();
      detachTouch();
      u.destroy();
      plot.current = null;
    };
  }, [config]);

  // New points, or a new range (`key`) to show the old ones in while its own load.
  useEffect(() => {
    if (!key) return;
    plot.current?.setData(toUPlotData(aligned, series.length, rangeRef.current));
  }, [aligned, series.length, key]);

  function downloadCsv() {
    const shownNow = current;
    if (!shownNow) return;
    const csv = chartCsv(
      series.map((s, i) => ({ label: s.label, unit: s.unit, points: shownNow.points[i] ?? [] })),
    );
    const url = URL.createObjectURL(new Blob([csv], { type: "text/csv;charset=utf-8" }));
    const link = document.createElement("a");
    link.href = url;
    link.download = chartCsvFileName(
      name ?? series[0]?.label ?? "chart",
      series[0]?.metric ?? "",
      shownNow.from,
      shownNow.to,
    );
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 30_000);
  }

  function resetZoom() {
    setZoom(null);
    onZoom?.(null);
  }

  const first = series[0];
  const points = data?.points[0] ?? [];
  const hoverStart = hover === null ? null : (aligned?.starts[hover] ?? null);
  const heading = title ?? series.map((s) => labelWithUnit(s.label, s.unit)).join(" · ");

  return (
    <section
      className="card chart-card"
      data-testid={`chart-${first?.metric ?? "none"}`}
      data-series={series.length}
      data-axes={scales.length}
      data-points={points.length}
      data-bucket-seconds={data?.bucketSeconds ?? ""}
      data-from={data ? new Date(data.from).toISOString() : ""}
      data-to={data ? new Date(data.to).toISOString() : ""}
      data-zoomed={zoomed ? "true" : "false"}
      data-markers={data ? markers.filter((m) => m.at >= data.from && m.at <= data.to).length : 0}
      data-loading={loading || !current ? "true" : "false"}
    >
      <div className="chart-head">
        <h3 className="chart-title">
          {heading}
          {series.length === 1 && first && first.label !== first.metric && (
            <span className="mono muted"> {first.metric}</span>
          )}
        </h3>
        <div className="chart-tools">
          {data && (
            <span className="muted small" data-testid="chart-bucket">
              {bucketWords(data.bucketSeconds)}
            </span>
          )}
          {zoomed && (
            <button type="button" className="btn btn-small" onClick={resetZoom}>
              Reset zoom
            </button>
          )}
          <button
            type="button"
            className="btn btn-small"
            onClick={downloadCsv}
            disabled={!current}
            title="Download the chart's points as CSV"
          >
            CSV
          </button>
          {actions?.(current ? { from: current.from, to: current.to } : { from, to })}
        </div>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div
        ref={box}
        className="chart-plot"
        role="img"
        aria-label={`${heading}: minimum, average and maximum per bucket. Drag across to zoom.`}
        onMouseLeave={() => setHover(null)}
      />
      <div className="chart-legend small" data-testid="chart-legend" aria-live="polite">
        <div className="chart-legend-time muted" data-testid="chart-hover-time">
          {hoverStart !== null && data
            ? bucketSpan(hoverStart, data.bucketSeconds, prefs.locale, prefs.timeZone)
            : data && points.length === 0
              ? "No readings in this range."
              : "Latest bucket · hover the chart for one"}
        </div>
        {series.map((s, i) => {
          const color = s.color ?? seriesColor(i);
          const col = aligned?.series[i];
          const idx = hoverStart !== null ? hover : null;
          const last = data?.points[i]?.at(-1);
          const at =
            idx !== null && col
              ? { min: col.min[idx], avg: col.avg[idx], max: col.max[idx], count: col.count[idx] }
              : last
                ? { min: last.min, avg: last.avg, max: last.max, count: last.count }
                : null;
          return (
            <div
              className="chart-legend-row"
              key={`${s.deviceId}/${s.metric}`}
              data-testid="chart-legend-row"
            >
              <span className="chart-legend-name">
                <span className="chart-swatch" style={{ background: color }} aria-hidden />
                {labelWithUnit(s.label, s.unit)}
                <span
                  className="chart-swatch chart-swatch-band"
                  style={{ background: withAlpha(color, 0.25) }}
                  aria-hidden
                />
                <span className="muted">{s.label} min–max</span>
              </span>
              <span className="chart-legend-values" data-testid="chart-values">
                {at && at.count !== null && at.count !== undefined
                  ? `min ${valueWithUnit(at.min, s.unit, prefs.locale)} · avg ${valueWithUnit(at.avg, s.unit, prefs.locale)} · max ${valueWithUnit(at.max, s.unit, prefs.locale)} · count ${at.count}`
                  : "no readings"}
              </span>
            </div>
          );
        })}
        {markers.length > 0 && (
          <div className="chart-legend-row muted">
            <span className="chart-legend-name">
              <span className="chart-swatch" style={{ background: "var(--bad)" }} aria-hidden />
              alert {markers.map((m) => m.label).join(", ")}
            </span>
          </div>
        )}
      </div>
    </section>
  );
}

/**
 * uPlot's columns: x, then avg, min, max of each of `count` series (empty columns for a series the
 * data has none of yet: just added, its points on their way).
 */
function toUPlotData(
  aligned: AlignedChart | null,
  count: number,
  range: { from: number; to: number },
): uPlot.AlignedData {
  const a = aligned ?? alignSeries([], 60, range.from, range.to);
  const empty = a.x.map(() => null);
  const columns: (number | null)[][] = [];
  for (let i = 0; i < count; i++) {
    const c = a.series[i];
    columns.push(c?.avg ?? empty, c?.min ?? empty, c?.max ?? empty);
  }
  return [a.x, ...columns];
}
