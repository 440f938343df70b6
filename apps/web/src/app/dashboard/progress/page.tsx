import { localIsoDay, toDisplayWeight, weeklyVolumeByMuscleGroup } from "@pulseboard/schema/fitness-math";
import { getPreferences } from "@pulseboard/schema/queries/fitness-preferences";
import type { Metadata } from "next";
import Link from "next/link";
import { LocalTime } from "@/components/local-time";
import { Sparkline } from "@/components/sparkline";
import { db } from "@/lib/db";
import { formatDateTime } from "@/lib/format";
import { formatNumber } from "@/lib/locale";
import { first } from "@/lib/params";
import { requestPrefs } from "@/lib/prefs";
import { sessionProgress } from "@/lib/progress";
import { personalRecords } from "@/lib/records";
import { requireSession } from "@/lib/session";

export const metadata: Metadata = { title: "Progress" };

export default async function ProgressPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const session = await requireSession();
  const prefs = await getPreferences(db, session.user.id);
  const { sets, records } = await personalRecords(db, session.user.id, prefs);
  const unit = prefs.weightUnit;
  const { locale, timeZone } = await requestPrefs(session.user.id);
  const weight = (kg: number) => toDisplayWeight(kg, unit);
  const show = (kg: number) => formatNumber(weight(kg), locale);
  const logged = new Map(sets.map((s) => [s.exerciseId, s.exerciseName]));
  const requested = first((await searchParams).exercise);
  const exerciseId = requested && logged.has(requested) ? requested : [...logged.keys()][0];

  // Per session of the chosen exercise: best set (heaviest), best e1RM, volume.
  const rows = sessionProgress(sets, exerciseId, { formula: prefs.e1rmFormula, repCap: prefs.repCap });
  const exerciseRecords = records.filter((r) => r.exerciseId === exerciseId);
  // Weeks cut at Monday midnights of the user's time zone, like every day on the page.
  const weekly = weeklyVolumeByMuscleGroup(sets, timeZone).filter(
    (w) => w.weekStart >= localIsoDay(new Date(Date.now() - 8 * 7 * 86_400_000), timeZone),
  );

  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <h1>Progress</h1>
          <p className="muted small">
            e1RM by {prefs.e1rmFormula === "epley" ? "Epley" : "Brzycki"}, up to {prefs.repCap} reps (
            <Link href="/settings">change</Link>)
          </p>
        </div>
      </div>
      {logged.size === 0 ? (
        <p className="card empty">Log a workout to see progress.</p>
      ) : (
        <>
          <nav className="row" aria-label="Exercises">
            {[...logged.entries()].map(([id, name]) => (
              <Link
                key={id}
                className={`btn btn-small${id === exerciseId ? " btn-primary" : ""}`}
                href={`?exercise=${id}`}
              >
                {name}
              </Link>
            ))}
          </nav>
          <section className="card">
            <h2>{logged.get(exerciseId ?? "")}: estimated 1RM</h2>
            <Sparkline
              label="estimated one-rep max per session"
              unit={unit}
              points={rows.flatMap((r) =>
                r.e1rm === null ? [] : [{ t: r.at.getTime(), v: weight(r.e1rm) }],
              )}
            />
            <h3>Best set (heaviest weight) per session</h3>
            <Sparkline
              label="heaviest set per session"
              unit={unit}
              points={rows.flatMap((r) => (r.best ? [{ t: r.at.getTime(), v: weight(r.best.kg) }] : []))}
            />
            <h3>Volume per session</h3>
            <Sparkline
              label="volume per session"
              unit={unit}
              points={rows.map((r) => ({ t: r.at.getTime(), v: weight(r.volume) }))}
            />
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th>Session</th>
                    <th>Best set</th>
                    <th>e1RM</th>
                    <th>Volume</th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((r) => (
                    <tr key={r.id}>
                      <td data-label="Session">
                        <Link href={`/dashboard/workouts/${r.id}`}>
                          <LocalTime value={r.at} />
                        </Link>
                      </td>
                      <td data-label="Best set">
                        {r.best ? `${r.best.reps} × ${show(r.best.kg)} ${unit}` : "—"}
                      </td>
                      <td data-label="e1RM">{r.e1rm === null ? "—" : `${show(r.e1rm)} ${unit}`}</td>
                      <td data-label="Volume">
                        {show(r.volume)} {unit}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
          <section className="card">
            <h2>Personal records</h2>
            {exerciseRecords.length === 0 ? (
              <p className="muted">None yet.</p>
            ) : (
              <ul className="small" data-testid="record-list">
                {exerciseRecords.map((r) => (
                  <li key={`${r.sessionId}-${r.kind}-${r.reps}`}>
                    {r.kind === "e1rm" ? "best e1RM" : `${r.reps}-rep max`}: {show(r.valueKg)} {unit}
                    {r.previousKg !== null && ` (was ${show(r.previousKg)})`} ·{" "}
                    <Link href={`/dashboard/workouts/${r.sessionId}`}>session</Link>
                  </li>
                ))}
              </ul>
            )}
          </section>
        </>
      )}
      <section className="card">
        <h2>Weekly volume per muscle group (last 8 weeks)</h2>
        {weekly.length === 0 ? (
          <p className="muted">No sets in the last 8 weeks.</p>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>Week of</th>
                  <th>Muscle group</th>
                  <th>Sets</th>
                  <th>Volume</th>
                </tr>
              </thead>
              <tbody>
                {weekly.map((w) => (
                  <tr key={`${w.weekStart}-${w.muscleGroup}`}>
                    {/* A calendar day already in the user's zone: written as a date, not converted. */}
                    <td>
                      {formatDateTime(new Date(`${w.weekStart}T00:00:00Z`), {
                        timeZone: "UTC",
                        locale,
                        dateOnly: true,
                      })}
                    </td>
                    <td>{w.muscleGroup}</td>
                    <td>{w.sets}</td>
                    <td>
                      {show(w.volumeKg)} {unit}
                    </td>
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
