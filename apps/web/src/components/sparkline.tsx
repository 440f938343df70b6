/**
 * A small server-rendered line chart of one value per session, in session order. Sessions are
 * evenly spaced rather than placed by time: two sessions may share a start time (logged twice in
 * the same minute), and each must still be its own point.
 */
export function Sparkline({
  points,
  label,
  unit,
}: {
  points: { t: number; v: number }[];
  label: string;
  unit: string;
}) {
  const W = 640;
  const H = 160;
  const P = 28;
  if (points.length === 0) return <p className="muted small">No data for {label}.</p>;
  const vs = points.map((p) => p.v);
  let [v0, v1] = [Math.min(...vs), Math.max(...vs)];
  if (v0 === v1) [v0, v1] = [v0 - 1, v1 + 1];
  const x = (i: number) => (points.length === 1 ? W / 2 : P + (i / (points.length - 1)) * (W - 2 * P));
  const y = (v: number) => H - P + ((v0 - v) / (v1 - v0)) * (H - 2 * P);
  return (
    <svg viewBox={`0 0 ${W} ${H}`} className="chart" role="img" aria-label={label} style={{ height: 160 }}>
      <text className="tick" x={2} y={y(v1) + 3}>
        {Math.round(v1 * 10) / 10} {unit}
      </text>
      <text className="tick" x={2} y={y(v0) + 3}>
        {Math.round(v0 * 10) / 10}
      </text>
      <polyline className="avg" points={points.map((p, i) => `${x(i)},${y(p.v)}`).join(" ")} />
      {points.map((p, i) => (
        // Index keys: sessions are in a fixed order and may share a time.
        <circle key={i} cx={x(i)} cy={y(p.v)} r={3} fill="var(--accent)" data-testid="sparkline-point" />
      ))}
    </svg>
  );
}
