"use client";

import { errorMessage } from "@pulseboard/runtime/errors";
import { useCallback, useEffect, useRef, useState } from "react";
import { appendBuckets } from "@/lib/chart-buckets";
import { formatValue } from "@/lib/format";
import { niceTicks } from "@/lib/ticks";
import { useLive } from "./live";

export interface Point {
  t: string;
  min: number;
  avg: number;
  max: number;
  count: number;
}

interface Props {
  deviceId: string;
  metric: string;
  /** Epoch ms; when `relativeMs` is set the window slides: [now - relativeMs, now). */
  from: number;
  to: number;
  relativeMs?: number | undefined;
  thresholds?: number[];
  markers?: number[];
}

interface ChartData {
  /** Which chart the points are of (device, metric, range): an update applies only to its own. */
  key: string;
  points: Point[];
  bucketSeconds: number;
  from: number;
  to: number;
}

const HEIGHT = 220;
const PAD = { left: 52, right: 12, top: 10, bottom: 24 };

function timeLabel(ms: number, spanMs: number): string {
  const d = new Date(ms);
  if (spanMs <= 36 * 3600_000) return d.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
  return d.toLocaleDateString(undefined, { month: "short", day: "numeric" });
}

/** Splits points into runs without missing buckets, so gaps in the data are gaps in the chart. */
function runs(points: Point[], bucketMs: number): Point[][] {
  const out: Point[][] = [];
  let current: Point[] = [];
  let prev = Number.NaN;
  for (const p of points) {
    const t = Date.parse(p.t);
    if (current.length > 0 && t - prev > bucketMs * 1.5) {
      out.push(current);
      current = [];
    }
    current.push(p);
    prev = t;
  }
  if (current.length > 0) out.push(current);
  return out;
}

export function MetricChart({
  deviceId,
  metric,
  from,
  to,
  relativeMs,
  thresholds = [],
  markers = [],
}: Props) {
  const [data, setData] = useState<ChartData | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [width, setWidth] = useState(640);
  const [hover, setHover] = useState<Point | null>(null);
  const box = useRef<HTMLDivElement>(null);
  const inFlight = useRef<AbortController | null>(null);
  const throttle = useRef<{ last: number; full: boolean; timer?: ReturnType<typeof setTimeout> }>({
    last: 0,
    full: false,
  });
  const shown = useRef<ChartData | null>(null);
  shown.current = data;

  // A sliding window is recomputed at each load; its from/to props change on every render and
  // must not trigger one.
  const fixedFrom = relativeMs ? 0 : from;
  const fixedTo = relativeMs ? 0 : to;
  const key = `${deviceId}|${metric}|${relativeMs ?? ""}|${fixedFrom}|${fixedTo}`;
  // "full": the whole range. "update" (live readings): only the buckets from the last one shown
  // on (`since`), which is re-read (it may have been partial, or lagging); the rest is kept.
  const load = useCallback(
    async (mode: "full" | "update") => {
      inFlight.current?.abort();
      const controller = new AbortController();
      inFlight.current = controller;
      const end = relativeMs ? Date.now() : fixedTo;
      const start = relativeMs ? end - relativeMs : fixedFrom;
      const current = shown.current?.key === key ? shown.current : null;
      const lastShown = current?.points.at(-1);
      const since = mode === "update" && current && lastShown ? lastShown.t : null;
      const query = new URLSearchParams({
        metric,
        from: new Date(start).toISOString(),
        to: new Date(end).toISOString(),
      });
      if (since && current) {
        query.set("bucket", String(current.bucketSeconds));
        query.set("since", since);
      }
      try {
        const res = await fetch(`/api/devices/${deviceId}/readings?${query}`, { signal: controller.signal });
        const body = await res.json();
        if (!res.ok) throw new Error(body.error ?? `HTTP ${res.status}`);
        const next = { key, bucketSeconds: body.bucketSeconds as number, from: start, to: end };
        if (since && current) {
          if (next.bucketSeconds !== current.bucketSeconds) return void load("full");
          setData({
            ...next,
            points: appendBuckets(current.points, body.points, since, start, next.bucketSeconds),
          });
        } else {
          setData({ ...next, points: body.points });
        }
        setError(null);
      } catch (e) {
        if (controller.signal.aborted) return;
        setError(errorMessage(e));
      }
    },
    [deviceId, metric, relativeMs, fixedFrom, fixedTo, key],
  );

  useEffect(() => {
    void load("full");
    return () => inFlight.current?.abort();
  }, [load]);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const observer = new ResizeObserver(
      ([entry]) => entry && setWidth(Math.max(240, entry.contentRect.width)),
    );
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  // New readings of this metric: fetch at most every 2 s, and only for a sliding window.
  useLive((event) => {
    const relevant =
      event.type === "resync" ||
      (event.type === "reading" && event.deviceId === deviceId && event.metrics.includes(metric));
    if (!relevant || (!relativeMs && event.type !== "resync")) return;
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
        void load(full ? "full" : "update");
      },
      Math.max(0, t.last + 2000 - Date.now()),
    );
  });

  const points = data?.points ?? [];
  const plotW = width - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const x0 = data?.from ?? from;
  const x1 = data?.to ?? to;
  let lo = Math.min(...points.map((p) => p.min), ...thresholds);
  let hi = Math.max(...points.map((p) => p.max), ...thresholds);
  if (!Number.isFinite(lo)) [lo, hi] = [0, 1];
  if (lo === hi) [lo, hi] = [lo - 1, hi + 1];
  const margin = (hi - lo) * 0.08;
  lo -= margin;
  hi += margin;
  const x = (ms: number) => PAD.left + ((ms - x0) / Math.max(1, x1 - x0)) * plotW;
  const y = (v: number) => PAD.top + (1 - (v - lo) / (hi - lo)) * plotH;
  const bucketMs = (data?.bucketSeconds ?? 60) * 1000;
  const mid = (p: Point) => x(Date.parse(p.t) + bucketMs / 2);
  const segments = runs(points, bucketMs);
  const last = points.at(-1);

  function onMove(event: React.MouseEvent<SVGSVGElement>) {
    if (points.length === 0) return;
    const rect = event.currentTarget.getBoundingClientRect();
    const px = ((event.clientX - rect.left) / rect.width) * width;
    let best = points[0] ?? null;
    for (const p of points) if (best && Math.abs(mid(p) - px) < Math.abs(mid(best) - px)) best = p;
    setHover(best);
  }

  return (
    <section className="card chart-card" data-testid={`chart-${metric}`} data-points={points.length}>
      <h3>
        <span className="mono">{metric}</span>
        <span className="muted small">
          {hover
            ? `${new Date(hover.t).toLocaleString()} · min ${formatValue(hover.min)} · avg ${formatValue(hover.avg)} · max ${formatValue(hover.max)} · ${hover.count} readings`
            : last
              ? `latest avg ${formatValue(last.avg)} · ${data?.bucketSeconds}s buckets`
              : ""}
        </span>
      </h3>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div ref={box}>
        <svg
          className="chart"
          width={width}
          height={HEIGHT}
          viewBox={`0 0 ${width} ${HEIGHT}`}
          role="img"
          aria-label={`${metric}: min, average and maximum per bucket`}
          onMouseMove={onMove}
          onMouseLeave={() => setHover(null)}
        >
          {niceTicks(lo, hi).map((v) => (
            <g key={v}>
              <line className="axis" x1={PAD.left} x2={width - PAD.right} y1={y(v)} y2={y(v)} />
              <text className="tick" x={PAD.left - 6} y={y(v) + 3} textAnchor="end">
                {formatValue(v)}
              </text>
            </g>
          ))}
          {[0, 0.25, 0.5, 0.75, 1].map((f) => {
            const ms = x0 + (x1 - x0) * f;
            return (
              <text
                key={f}
                className="tick"
                x={x(ms)}
                y={HEIGHT - 6}
                textAnchor={f === 0 ? "start" : f === 1 ? "end" : "middle"}
              >
                {timeLabel(ms, x1 - x0)}
              </text>
            );
          })}
          {segments.map((run) => (
            <g key={run[0]?.t}>
              <path
                className="band"
                d={`M${run.map((p) => `${mid(p)},${y(p.max)}`).join("L")}L${[...run]
                  .reverse()
                  .map((p) => `${mid(p)},${y(p.min)}`)
                  .join("L")}Z`}
              />
              <path className="avg" d={`M${run.map((p) => `${mid(p)},${y(p.avg)}`).join("L")}`} />
              {run.length === 1 && run[0] && (
                <circle cx={mid(run[0])} cy={y(run[0].avg)} r={2.5} fill="var(--accent)" />
              )}
            </g>
          ))}
          {thresholds.map((v) => (
            <line
              key={`th-${v}`}
              className="threshold"
              x1={PAD.left}
              x2={width - PAD.right}
              y1={y(v)}
              y2={y(v)}
            />
          ))}
          {markers
            .filter((ms) => ms >= x0 && ms <= x1)
            .map((ms) => (
              <line
                key={`mk-${ms}`}
                className="marker"
                x1={x(ms)}
                x2={x(ms)}
                y1={PAD.top}
                y2={HEIGHT - PAD.bottom}
              />
            ))}
          {hover && (
            <line
              className="axis"
              x1={mid(hover)}
              x2={mid(hover)}
              y1={PAD.top}
              y2={HEIGHT - PAD.bottom}
              stroke="#94a3b8"
            />
          )}
        </svg>
      </div>
      {data && points.length === 0 && <p className="muted small">No readings in this range.</p>}
    </section>
  );
}
