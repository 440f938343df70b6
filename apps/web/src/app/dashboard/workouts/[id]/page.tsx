import { toDisplayWeight } from "@pulseboard/schema/fitness-math";
import { getPreferences } from "@pulseboard/schema/queries/fitness-preferences";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { TimeSeriesChart } from "@/components/chart/time-series-chart";
import { ShareToCommunity } from "@/components/community/share-dialog";
import { DeleteButton } from "@/components/delete-button";
import { LocalTime } from "@/components/local-time";
import { db } from "@/lib/db";
import { formatDuration, workoutDuration } from "@/lib/format";
import { formatNumber } from "@/lib/locale";
import { isUuid } from "@/lib/params";
import { requestPrefs } from "@/lib/prefs";
import { personalRecords } from "@/lib/records";
import { requireSession } from "@/lib/session";
import { workoutWithHeartRate } from "@/lib/workouts";

export const metadata: Metadata = { title: "Workout" };

export default async function WorkoutPage({ params }: { params: Promise<{ id: string }> }) {
  const session = await requireSession();
  const { id } = await params;
  if (!isUuid(id)) notFound();
  const prefs = await getPreferences(db, session.user.id);
  const workout = await workoutWithHeartRate(db, session.user.id, id, prefs);
  if (!workout) notFound();
  // Records this session set: only earlier sessions of the same exercises matter.
  const { bySession } = await personalRecords(db, session.user.id, prefs, {
    exerciseIds: [...new Set(workout.sets.map((s) => s.exerciseId))],
    until: workout.performedAt,
  });
  const records = bySession.get(id) ?? [];
  const unit = prefs.weightUnit;
  const { locale } = await requestPrefs(session.user.id);
  const show = (kg: number | null) =>
    kg === null ? "—" : `${formatNumber(toDisplayWeight(kg, unit), locale)} ${unit}`;

  const groups = new Map<string, typeof workout.sets>();
  for (const s of workout.sets) groups.set(s.exerciseId, [...(groups.get(s.exerciseId) ?? []), s]);
  const hr = workout.heartRate;

  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <p className="small">
            <Link href="/dashboard/workouts">← Workouts</Link>
          </p>
          <h1>{workout.planName ?? "Workout"}</h1>
          <p className="muted small">
            <LocalTime value={workout.performedAt} />
            {workout.endedAt && ` · ${workoutDuration(workout)}`}
            {` · ${workout.setCount} sets · volume ${show(workout.volumeKg)}`}
          </p>
        </div>
        <div className="row">
          <ShareToCommunity source={{ kind: "workout", workoutId: workout.id }} />
          <DeleteButton
            url={`/api/workouts/${workout.id}`}
            confirmText="Delete this workout? Logs cannot be edited: log it again if it was wrong."
            label="Delete workout"
            redirectTo="/dashboard/workouts"
          />
        </div>
      </div>

      {records.length > 0 && (
        <p className="success" data-testid="records">
          Personal records:{" "}
          {records
            .map((r) => {
              const name = workout.sets.find((s) => s.exerciseId === r.exerciseId)?.exerciseName;
              return r.kind === "e1rm"
                ? `${name} e1RM ${show(r.valueKg)}`
                : `${name} ${r.reps}-rep max ${show(r.valueKg)}`;
            })
            .join(" · ")}
        </p>
      )}

      <div className="grid">
        {[...groups.values()].map((sets) => (
          <section className="card" key={sets[0]?.exerciseId} data-testid="exercise-group">
            <h2>
              <Link href={`/dashboard/progress?exercise=${sets[0]?.exerciseId}`}>
                {sets[0]?.exerciseName}
              </Link>
            </h2>
            <table>
              <thead>
                <tr>
                  <th>Set</th>
                  <th>Reps</th>
                  <th>Weight</th>
                </tr>
              </thead>
              <tbody>
                {sets.map((s) => {
                  const pr = records.some(
                    (r) =>
                      r.exerciseId === s.exerciseId &&
                      r.kind === "rep-max" &&
                      r.reps === s.reps &&
                      r.valueKg === s.weightKg,
                  );
                  return (
                    <tr key={s.setNumber}>
                      <td>{s.setNumber}</td>
                      <td>{s.reps}</td>
                      <td>
                        {show(s.weightKg)} {pr && <span className="badge badge-online">PR</span>}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </section>
        ))}
      </div>

      {workout.deviceId && hr ? (
        <section className="stack" aria-label="Heart rate" data-testid="heart-rate">
          <div className="grid">
            <div className="card">
              <h3 className="muted">Average heart rate</h3>
              <div className="stat" data-testid="hr-avg">
                {hr.avg === null ? "—" : Math.round(hr.avg)} <span className="small muted">bpm</span>
              </div>
            </div>
            <div className="card">
              <h3 className="muted">Maximum</h3>
              <div className="stat" data-testid="hr-max">
                {hr.max === null ? "—" : Math.round(hr.max)} <span className="small muted">bpm</span>
              </div>
            </div>
            <div className="card">
              <h3 className="muted">Time in zones (max {hr.maxHeartRate} bpm)</h3>
              <ul style={{ margin: 0, paddingLeft: "1rem" }} className="small">
                {hr.zones.map((z) => (
                  <li key={z.zone}>
                    Z{z.zone} {z.name} ({z.minBpm}
                    {z.maxBpm ? `–${z.maxBpm}` : "+"}): {formatDuration(Math.round(z.seconds))}
                  </li>
                ))}
              </ul>
            </div>
          </div>
          <TimeSeriesChart
            series={[
              {
                deviceId: workout.deviceId,
                metric: workout.heartRateMetric,
                label: "Heart rate",
                unit: "bpm",
              },
            ]}
            from={Date.parse(hr.from)}
            to={Date.parse(hr.to)}
            name={workout.deviceName ?? "workout"}
          />
          <p className="small muted">
            From {workout.deviceName ?? "the wearable"} over the session ({hr.readings} readings of{" "}
            <code>{workout.heartRateMetric}</code>). {hr.readings === 0 && "No readings in this window."}
          </p>
        </section>
      ) : (
        <p className="muted small">No wearable named for this session.</p>
      )}
    </div>
  );
}
