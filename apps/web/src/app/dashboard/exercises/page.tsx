import { MUSCLE_GROUPS } from "@pulseboard/schema/fitness";
import { listExercises } from "@pulseboard/schema/queries/exercises";
import type { Metadata } from "next";
import Link from "next/link";
import { AddExerciseForm } from "@/components/fitness-forms";
import { db } from "@/lib/db";
import { first } from "@/lib/params";
import { requireSession } from "@/lib/session";

export const metadata: Metadata = { title: "Exercises" };

export default async function ExercisesPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await requireSession();
  const query = await searchParams;
  const q = first(query.q)?.trim().slice(0, 100) || undefined;
  const group = MUSCLE_GROUPS.find((g) => g === first(query.muscleGroup));
  const items = await listExercises(db, { q, muscleGroup: group });
  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <h1>Exercise catalog</h1>
          <p className="muted small">Shared by everyone. Add what is missing.</p>
        </div>
      </div>
      <form className="card form-inline" method="get" aria-label="Search exercises">
        <label className="field">
          <span>Name</span>
          <input name="q" defaultValue={q ?? ""} placeholder="bench" />
        </label>
        <label className="field">
          <span>Muscle group</span>
          <select name="muscleGroup" defaultValue={group ?? ""}>
            <option value="">all</option>
            {MUSCLE_GROUPS.map((g) => (
              <option key={g} value={g}>
                {g}
              </option>
            ))}
          </select>
        </label>
        <button className="btn" type="submit">
          Search
        </button>
      </form>
      <section className="card">
        {items.length === 0 ? (
          <p className="empty">No exercise matches.</p>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>Exercise</th>
                  <th>Muscle group</th>
                </tr>
              </thead>
              <tbody>
                {items.map((e) => (
                  <tr key={e.id} data-testid="exercise-row">
                    <td>
                      <Link href={`/dashboard/progress?exercise=${e.id}`}>{e.name}</Link>
                    </td>
                    <td className="muted">{e.muscleGroup ?? "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section className="card">
        <h2>Add an exercise</h2>
        <AddExerciseForm groups={[...MUSCLE_GROUPS]} />
      </section>
    </div>
  );
}
