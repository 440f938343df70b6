// The time-series chart's data: the readings API's buckets of one or more series laid out as
// uPlot's aligned columns, y scales per unit, and the y range a scale shows.

/** One bucket of the readings API (docs/api.md): its start (ISO-8601 UTC) and figures. */
export interface ChartPoint {
  t: string;
  min: number;
  avg: number;
  max: number;
  count: number;
}

/** A series' columns, one value per x (null: no bucket there). */
export interface SeriesColumns {
  min: (number | null)[];
  avg: (number | null)[];
  max: (number | null)[];
  count: (number | null)[];
}

export interface AlignedChart {
  /** Unix seconds (uPlot's time unit): bucket middles, plus empty ends and gap markers. */
  x: number[];
  /** The bucket start (epoch ms) at each x; null for the range's ends and gap markers. */
  starts: (number | null)[];
  series: SeriesColumns[];
}

/**
 * All series on one x axis: every bucket any series has (drawn at its middle), a series without a
 * bucket there null; an empty x after each run of buckets that the next bucket does not continue
 * (so a gap in the data is a gap in the line); and the range's ends (`fromMs`, `toMs`) as empty xs,
 * so the chart spans the whole range asked for, with no data or into the future too.
 */
export function alignSeries(
  points: readonly (readonly ChartPoint[])[],
  bucketSeconds: number,
  fromMs: number,
  toMs: number,
): AlignedChart {
  const bucketMs = bucketSeconds * 1000;
  const byStart = points.map((series) => new Map(series.map((p) => [Date.parse(p.t), p])));
  const starts = [...new Set(byStart.flatMap((m) => [...m.keys()]))].sort((a, b) => a - b);
  const out: AlignedChart = {
    x: [],
    starts: [],
    series: points.map(() => ({ min: [], avg: [], max: [], count: [] })),
  };
  const push = (xMs: number, start: number | null) => {
    out.x.push(xMs / 1000);
    out.starts.push(start);
    byStart.forEach((m, i) => {
      const p = start === null ? undefined : m.get(start);
      const columns = out.series[i] as SeriesColumns;
      columns.min.push(p ? p.min : null);
      columns.avg.push(p ? p.avg : null);
      columns.max.push(p ? p.max : null);
      columns.count.push(p ? p.count : null);
    });
  };
  const first = starts[0];
  if (first === undefined || fromMs < first + bucketMs / 2) push(fromMs, null);
  let prev: number | null = null;
  for (const start of starts) {
    if (prev !== null && start - prev > bucketMs) push(prev + bucketMs * 1.5, null);
    push(start + bucketMs / 2, start);
    prev = start;
  }
  const last = starts.at(-1);
  if (last === undefined ? toMs > fromMs : toMs > last + bucketMs / 2) push(toMs, null);
  return out;
}

/** Indices of values with no value on either side: a lone bucket, drawn as a dot, not a line. */
export function isolatedIndices(values: readonly (number | null | undefined)[]): number[] {
  const out: number[] = [];
  values.forEach((v, i) => {
    if (v === null || v === undefined) return;
    const before = values[i - 1];
    const after = values[i + 1];
    if ((before === null || before === undefined) && (after === null || after === undefined)) out.push(i);
  });
  return out;
}

export interface UnitScale {
  /** uPlot scale key. */
  key: string;
  unit: string;
  /** The series (indices into the chart's list) drawn on it. */
  series: number[];
  /** Which side its axis is on: the first unit left, the second right, and so on alternately. */
  side: "left" | "right";
}

/** One y scale per distinct unit, in order of first appearance: the same unit shares an axis. */
export function unitScales(series: readonly { unit: string }[]): UnitScale[] {
  const scales: UnitScale[] = [];
  series.forEach((s, i) => {
    const found = scales.find((scale) => scale.unit === s.unit);
    if (found) found.series.push(i);
    else
      scales.push({
        key: `y${scales.length}`,
        unit: s.unit,
        series: [i],
        side: scales.length % 2 === 0 ? "left" : "right",
      });
  });
  return scales;
}

/**
 * The range a y scale shows: its data and its thresholds (so a rule's line is always in view),
 * with a margin; [0, 1] for nothing at all, and a flat line with room around it.
 */
export function yRange(
  dataMin: number | null,
  dataMax: number | null,
  thresholds: readonly number[] = [],
): [number, number] {
  const values = [dataMin, dataMax, ...thresholds].filter(
    (v): v is number => v !== null && Number.isFinite(v),
  );
  if (values.length === 0) return [0, 1];
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (lo === hi) {
    const room = Math.abs(lo) * 0.1 || 1;
    return [lo - room, hi + room];
  }
  const margin = (hi - lo) * 0.08;
  lo -= margin;
  hi += margin;
  return [lo, hi];
}

/** Whether a chart's range gets live updates: a sliding window, or a fixed one not yet over. */
export function isLiveRange(range: { to: number; relativeMs?: number | undefined }, now: number): boolean {
  return Boolean(range.relativeMs) || range.to > now;
}
