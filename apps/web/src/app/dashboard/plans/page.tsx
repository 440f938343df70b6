import { listExercises } from "@pulseboard/schema/queries/exercises";
import { listPlans } from "@pulseboard/schema/queries/plans";
import type { Metadata } from "next";
import Link from "next/link";
import { NewPlanForm, PlanActions } from "@/components/plan-editor";
import { db } from "@/lib/db";
import { requireSession } from "@/lib/session";

export const metadata: Metadata = { title: "Plans" };

export default async function PlansPage() {
  const session = await requireSession();
  const [plans, exercises] = await Promise.all([listPlans(db, session.user.id), listExercises(db)]);
  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <h1>Workout plans</h1>
          <p className="muted small">
            Exercises in order, with target sets and reps. Logging from a plan pre-fills them.
          </p>
        </div>
        <Link className="btn btn-primary" href="/dashboard/workouts/new">
          Log a workout
        </Link>
      </div>
      {plans.length === 0 && <p className="card empty">No plans yet.</p>}
      <div className="grid">
        {plans.map((p) => (
          <section className="card stack" key={p.id} data-testid="plan-card" style={{ gap: "0.5rem" }}>
            <h2 style={{ margin: 0 }}>{p.name}</h2>
            <ol style={{ margin: 0, paddingLeft: "1.2rem" }}>
              {p.exercises.map((e) => (
                <li key={e.position}>
                  {e.name}{" "}
                  <span className="muted small">
                    {e.targetSets} × {e.targetReps}
                  </span>
                </li>
              ))}
            </ol>
            <div className="row">
              <Link className="btn btn-small" href={`/dashboard/workouts/new?plan=${p.id}`}>
                Log from this plan
              </Link>
              <PlanActions planId={p.id} name={p.name} />
            </div>
          </section>
        ))}
      </div>
      <section className="card">
        <h2>New plan</h2>
        <NewPlanForm exercises={exercises.map(({ id, name, muscleGroup }) => ({ id, name, muscleGroup }))} />
      </section>
    </div>
  );
}
