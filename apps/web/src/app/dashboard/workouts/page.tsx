import { workoutsQuery } from "@pulseboard/schema/fitness";
import { calendarDays, heatMapWeeks, toDisplayWeight } from "@pulseboard/schema/fitness-math";
import { pageCursor } from "@pulseboard/schema/keyset";
import { getPreferences } from "@pulseboard/schema/queries/fitness-preferences";
import { countWorkouts, listWorkoutsPage, workoutTimesSince } from "@pulseboard/schema/queries/workouts";
import { startOfLocalDay } from "@pulseboard/schema/time-zone";
import type { Metadata } from "next";
import Link from "next/link";
import { LocalTime } from "@/components/local-time";
import { Pager } from "@/components/pager";
import { db } from "@/lib/db";
import { workoutDuration } from "@/lib/format";
import { formatNumber } from "@/lib/locale";
import { first } from "@/lib/params";
import { requestPrefs } from "@/lib/prefs";
import { requireSession } from "@/lib/session";

export const metadata: Metadata = { title: "Workouts" };

const WEEKS = 16;
const PAGE = 25;

export default async function WorkoutsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const session = await requireSession();
  const ownerId = session.user.id;
  const query = await searchParams;
  // The API's contract decides what a month is; anything else shows every month.
  const month = workoutsQuery.shape.month.safeParse(first(query.month)).data;
  const cursor = pageCursor(first(query.cursor));
  const { timeZone, locale } = await requestPrefs(ownerId);
  // The heat map's days are the user's days (settings: time zone), Monday first.
  const weeks = heatMapWeeks(new Date(), timeZone, WEEKS);
  const firstDay = weeks[0]?.[0] ?? "1970-01-01";
  const [page, total, recent, prefs] = await Promise.all([
    listWorkoutsPage(db, ownerId, { month, timeZone, cursor, limit: PAGE }),
    countWorkouts(db, ownerId),
    workoutTimesSince(db, ownerId, startOfLocalDay(firstDay, timeZone)),
    getPreferences(db, ownerId),
  ]);
  const days = calendarDays(recent, timeZone);
  const workouts = page.rows;
  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <h1>Workouts</h1>
          <p className="muted small">
            {formatNumber(total, locale)} sessions ·{" "}
            <Link href="/dashboard/progress">progress and records</Link>
          </p>
        </div>
        <Link className="btn btn-primary" href="/dashboard/workouts/new">
          Log a workout
        </Link>
      </div>
      <section className="card" aria-labelledby="heatmap-heading">
        <h2 id="heatmap-heading">Training days</h2>
        <p className="muted small">
          The last {WEEKS} weeks, Monday first, in {timeZone.replaceAll("_", " ")} days.
        </p>
        <div className="heatmap" data-testid="heatmap" role="img" aria-label={heatMapLabel(days, WEEKS)}>
          {weeks.map((week) => (
            <div key={week[0]} className="heatmap-week">
              {week.map((day) => {
                const n = days.get(day) ?? 0;
                return (
                  <span
                    key={day}
                    title={`${day}: ${n} session${n === 1 ? "" : "s"}`}
                    data-day={day}
                    data-count={n}
                    className={`heatmap-day heat-${Math.min(n, 2)}`}
                  />
                );
              })}
            </div>
          ))}
        </div>
      </section>
      <section className="card" aria-labelledby="sessions-heading">
        <div className="page-head">
          <h2 id="sessions-heading">{month ? `Sessions in ${monthName(month, locale)}` : "Sessions"}</h2>
          <form className="form-inline" method="get" aria-label="Filter workouts">
            <label className="field">
              <span>Month</span>
              <input type="month" name="month" defaultValue={month ?? ""} />
            </label>
            <button className="btn" type="submit">
              Show
            </button>
            {month && <Link href="/dashboard/workouts">All months</Link>}
          </form>
        </div>
        {workouts.length === 0 ? (
          <p className="empty">{month ? "No workouts in this month." : "No workouts yet."}</p>
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
                    <td data-label="Date">
                      <Link href={`/dashboard/workouts/${w.id}`}>
                        <LocalTime value={w.performedAt} />
                      </Link>
                    </td>
                    <td data-label="Plan">{w.planName ?? "—"}</td>
                    <td data-label="Duration" className="small">
                      {workoutDuration(w)}
                    </td>
                    <td data-label="Volume" className="small">
                      {formatNumber(toDisplayWeight(w.volumeKg, prefs.weightUnit), locale)} {prefs.weightUnit}
                    </td>
                    <td data-label="Sets" className="small">
                      {w.sets}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <Pager
          path="/dashboard/workouts"
          params={{ month }}
          next={page.next}
          atStart={!cursor}
          noun="workouts"
        />
      </section>
    </div>
  );
}

function heatMapLabel(days: Map<string, number>, weeks: number): string {
  const trained = [...days.values()].filter((n) => n > 0).length;
  return `${trained} training day${trained === 1 ? "" : "s"} in the last ${weeks} weeks`;
}

function monthName(month: string, locale: string): string {
  const [y = 1970, m = 1] = month.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, 15)).toLocaleDateString(locale, {
    month: "long",
    year: "numeric",
    timeZone: "UTC",
  });
}
