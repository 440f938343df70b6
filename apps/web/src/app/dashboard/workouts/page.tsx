import { calendarDays, toDisplayWeight } from "@pulseboard/schema/fitness-math";
import { getPreferences } from "@pulseboard/schema/queries/fitness-preferences";
import { listWorkouts } from "@pulseboard/schema/queries/workouts";
import type { Metadata } from "next";
import Link from "next/link";
import { LocalTime } from "@/components/local-time";
import { db } from "@/lib/db";
import { workoutDuration } from "@/lib/format";
import { requireSession } from "@/lib/session";

export const metadata: Metadata = { title: "Workouts" };

const WEEKS = 16;

export default async function WorkoutsPage() {
  const session = await requireSession();
  const [workouts, prefs] = await Promise.all([
    listWorkouts(db, session.user.id, 500),
    getPreferences(db, session.user.id),
  ]);
  const days = calendarDays(workouts.map((w) => w.performedAt));
  // A heat map of the last WEEKS weeks, Monday first, in UTC days.
  const today = new Date();
  const monday = new Date(
    Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() - ((today.getUTCDay() + 6) % 7)),
  );
  const start = monday.getTime() - (WEEKS - 1) * 7 * 86_400_000;
  const weeks = Array.from({ length: WEEKS }, (_, w) =>
    Array.from({ length: 7 }, (_, d) =>
      new Date(start + (w * 7 + d) * 86_400_000).toISOString().slice(0, 10),
    ),
  );
  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <h1>Workouts</h1>
          <p className="muted small">
            {workouts.length} sessions · <Link href="/dashboard/progress">progress and records</Link>
          </p>
        </div>
        <Link className="btn btn-primary" href="/dashboard/workouts/new">
          Log a workout
        </Link>
      </div>
      <section className="card" aria-label="Training days">
        <h2>Training days</h2>
        <div style={{ display: "flex", gap: 3, overflowX: "auto" }} data-testid="heatmap">
          {weeks.map((week) => (
            <div key={week[0]} style={{ display: "flex", flexDirection: "column", gap: 3 }}>
              {week.map((day) => {
                const n = days.get(day) ?? 0;
                return (
                  <span
                    key={day}
                    title={`${day}: ${n} session${n === 1 ? "" : "s"}`}
                    data-day={day}
                    data-count={n}
                    style={{
                      width: 14,
                      height: 14,
                      borderRadius: 3,
                      background: n === 0 ? "#e5e7eb" : n === 1 ? "#93c5fd" : "#2563eb",
                    }}
                  />
                );
              })}
            </div>
          ))}
        </div>
      </section>
      <section className="card">
        {workouts.length === 0 ? (
          <p className="empty">No workouts yet.</p>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>Date</th>
                  <th>Plan</th>
                  <th>Duration</th>
                  <th>Volume</th>
                  <th>Sets</th>
                </tr>
              </thead>
              <tbody>
                {workouts.map((w) => (
                  <tr key={w.id} data-testid="workout-row">
                    <td>
                      <Link href={`/dashboard/workouts/${w.id}`}>
                        <LocalTime value={w.performedAt} />
                      </Link>
                    </td>
                    <td>{w.planName ?? "—"}</td>
                    <td className="small">{workoutDuration(w)}</td>
                    <td className="small">
                      {toDisplayWeight(w.volumeKg, prefs.weightUnit).toLocaleString("en-US")}{" "}
                      {prefs.weightUnit}
                    </td>
                    <td className="small">{w.sets}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
