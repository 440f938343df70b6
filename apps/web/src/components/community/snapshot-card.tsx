"use client";

import type { Snapshot } from "@pulseboard/schema/community";
import { formatDuration } from "@/lib/format";
import { formatNumber } from "@/lib/locale";
import { TimeSeriesChart } from "../chart/time-series-chart";
import { LocalTime } from "../local-time";
import { usePrefs } from "../prefs";

/**
 * A snapshot shared into a thread, drawn from its frozen copy: a chart with the dashboard's chart
 * component (its points given, nothing fetched), or a workout's sets, records and heart rate.
 */
export function SnapshotCard({ snapshot }: { snapshot: Snapshot }) {
  const { locale } = usePrefs();
  if (snapshot.kind === "chart") {
    return (
      <div className="snapshot" data-testid="snapshot" data-kind="chart">
        <TimeSeriesChart
          series={[
            { deviceId: "snapshot", metric: snapshot.metric, label: snapshot.label, unit: snapshot.unit },
          ]}
          title={`${snapshot.deviceName} · ${snapshot.label}${snapshot.unit ? ` (${snapshot.unit})` : ""}`}
          name={snapshot.deviceName}
          from={Date.parse(snapshot.from)}
          to={Date.parse(snapshot.to)}
          fixed={{ bucketSeconds: snapshot.bucketSeconds, points: [snapshot.points] }}
        />
      </div>
    );
  }
  const w = snapshot;
  return (
    <section className="card snapshot stack" data-testid="snapshot" data-kind="workout">
      <h3>
        {w.title} · <LocalTime value={w.performedAt} dateOnly />
        {w.durationSeconds !== null && ` · ${formatDuration(w.durationSeconds)}`}
      </h3>
      <p className="small muted">
        {w.sets.length} sets
        {w.volume !== null && ` · volume ${formatNumber(w.volume, locale)} ${w.weightUnit}`}
        {w.heartRate?.avg != null &&
          ` · heart rate avg ${Math.round(w.heartRate.avg)} bpm, max ${Math.round(w.heartRate.max ?? 0)} bpm`}
      </p>
      {w.records.length > 0 && (
        <ul className="small" data-testid="snapshot-records">
          {w.records.map((r) => (
            <li key={`${r.exercise}-${r.what}`}>
              🏆 {r.exercise}: {r.what}
            </li>
          ))}
        </ul>
      )}
      <div className="table-wrap">
        <table className="small">
          <thead>
            <tr>
              <th>Exercise</th>
              <th>Set</th>
              <th>Reps</th>
              <th>Weight</th>
            </tr>
          </thead>
          <tbody>
            {w.sets.map((s) => (
              <tr key={`${s.exercise}-${s.setNumber}`}>
                <td>{s.exercise}</td>
                <td>{s.setNumber}</td>
                <td>{s.reps}</td>
                <td>{s.weight === null ? "—" : `${s.weight} ${w.weightUnit}`}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
