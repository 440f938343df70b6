"use client";

import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { sendJson } from "@/lib/send-json";
import { DeleteButton } from "./delete-button";
import { FormError } from "./form-error";

/** The form's fields as it labels them, for the errors the API names them in. */
const FIELD_LABELS = {
  name: "Plan name",
  exercises: "Exercises",
  "exercises.*.exerciseId": "Exercise {n}",
  "exercises.*.targetSets": "Sets of exercise {n}",
  "exercises.*.targetReps": "Reps of exercise {n}",
};

export interface ExerciseOption {
  id: string;
  name: string;
  muscleGroup: string | null;
}

type Row = { exerciseId: string; targetSets: number; targetReps: number };

export function NewPlanForm({ exercises }: { exercises: ExerciseOption[] }) {
  const router = useRouter();
  const [rows, setRows] = useState<Row[]>([
    { exerciseId: exercises[0]?.id ?? "", targetSets: 3, targetReps: 10 },
  ]);
  const [error, setError] = useState<unknown>(null);
  const update = (i: number, patch: Partial<Row>) =>
    setRows((r) => r.map((row, j) => (j === i ? { ...row, ...patch } : row)));

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    try {
      await sendJson("/api/plans", "POST", {
        name: String(new FormData(form).get("name") ?? ""),
        exercises: rows,
      });
      form.reset();
      setRows([{ exerciseId: exercises[0]?.id ?? "", targetSets: 3, targetReps: 10 }]);
      setError(null);
      router.refresh();
    } catch (e) {
      setError(e);
    }
  }

  return (
    <form className="form" onSubmit={onSubmit} aria-label="New plan">
      <label className="field">
        <span>Plan name</span>
        <input name="name" required maxLength={100} placeholder="Push day" />
      </label>
      {rows.map((row, i) => (
        <div className="form-inline" key={`${i}-${row.exerciseId}`} data-testid="plan-row">
          <label className="field">
            <span>Exercise {i + 1}</span>
            <select value={row.exerciseId} onChange={(e) => update(i, { exerciseId: e.target.value })}>
              {exercises.map((x) => (
                <option key={x.id} value={x.id}>
                  {x.name}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>Sets</span>
            <input
              type="number"
              min={1}
              max={50}
              value={row.targetSets}
              style={{ width: 70 }}
              onChange={(e) => update(i, { targetSets: Number(e.target.value) })}
            />
          </label>
          <label className="field">
            <span>Reps</span>
            <input
              type="number"
              min={1}
              max={1000}
              value={row.targetReps}
              style={{ width: 70 }}
              onChange={(e) => update(i, { targetReps: Number(e.target.value) })}
            />
          </label>
          <button
            type="button"
            className="btn btn-small"
            onClick={() => setRows((r) => r.filter((_, j) => j !== i))}
          >
            Remove
          </button>
        </div>
      ))}
      <div className="row">
        <button
          type="button"
          className="btn"
          onClick={() =>
            setRows((r) => [...r, { exerciseId: exercises[0]?.id ?? "", targetSets: 3, targetReps: 10 }])
          }
        >
          Add exercise
        </button>
        <button type="submit" className="btn btn-primary">
          Create plan
        </button>
      </div>
      <FormError error={error} labels={FIELD_LABELS} />
    </form>
  );
}

export function PlanActions({ planId, name }: { planId: string; name: string }) {
  const router = useRouter();
  const [error, setError] = useState<unknown>(null);
  return (
    <span className="row">
      <button
        type="button"
        className="btn btn-small"
        onClick={async () => {
          const next = window.prompt("New name", name)?.trim();
          if (!next || next === name) return;
          try {
            await sendJson(`/api/plans/${planId}`, "PATCH", { name: next });
            router.refresh();
          } catch (e) {
            setError(e);
          }
        }}
      >
        Rename
      </button>
      <DeleteButton
        url={`/api/plans/${planId}`}
        confirmText={`Delete ${name}? Workouts logged from it stay in your history.`}
        label="Delete"
        className="btn btn-small btn-danger"
      />
      <FormError error={error} labels={FIELD_LABELS} />
    </span>
  );
}
