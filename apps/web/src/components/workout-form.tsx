"use client";

import {
  DEFAULT_HEART_RATE_METRIC,
  fromDisplayWeight,
  toDisplayWeight,
  type WeightUnit,
} from "@pulseboard/schema/fitness-math";
import { fromZonedInput, toZonedInput } from "@pulseboard/schema/zoned-time";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { formatNumber } from "@/lib/locale";
import { sendJson } from "@/lib/send-json";
import { FormError } from "./form-error";
import type { ExerciseOption } from "./plan-editor";
import { usePrefs } from "./prefs";

/** The heaviest weight a set may carry (the API's limit). */
const MAX_WEIGHT_KG = 1000;

/** The form's fields as it labels them, for the errors the API names them in. */
const FIELD_LABELS = {
  performedAt: "Started",
  endedAt: "Ended",
  planId: "Plan",
  deviceId: "Wearable",
  heartRateMetric: "Its metric to chart",
  sets: "Sets",
  "sets.*.exerciseId": "Exercise in row {n}",
  "sets.*.reps": "Reps in row {n}",
  "sets.*.weightKg": "Weight in row {n}",
  "sets.*.setNumber": "Set number in row {n}",
};

interface PlanOption {
  id: string;
  name: string;
  exercises: { exerciseId: string; targetSets: number; targetReps: number }[];
}

interface SetRow {
  key: number;
  exerciseId: string;
  reps: string;
  weight: string;
}

let nextKey = 1;

function rowsFromPlan(plan: PlanOption | undefined): SetRow[] {
  if (!plan) return [];
  return plan.exercises.flatMap((e) =>
    Array.from({ length: e.targetSets }, () => ({
      key: nextKey++,
      exerciseId: e.exerciseId,
      reps: String(e.targetReps),
      weight: "",
    })),
  );
}

/** Numbers each exercise's sets 1, 2, 3… in the order they appear. */
function numbered(rows: SetRow[]) {
  const counts = new Map<string, number>();
  return rows.map((r) => {
    const n = (counts.get(r.exerciseId) ?? 0) + 1;
    counts.set(r.exerciseId, n);
    return { ...r, setNumber: n };
  });
}

export function WorkoutForm({
  plans,
  exercises,
  devices,
  unit,
  initialPlanId,
}: {
  plans: PlanOption[];
  exercises: ExerciseOption[];
  devices: { id: string; name: string }[];
  unit: WeightUnit;
  initialPlanId?: string | undefined;
}) {
  const router = useRouter();
  // Times typed are on the user's clock (settings), whatever the browser's zone.
  const { timeZone, locale } = usePrefs();
  const [planId, setPlanId] = useState(initialPlanId ?? "");
  const [rows, setRows] = useState<SetRow[]>(() => rowsFromPlan(plans.find((p) => p.id === initialPlanId)));
  const [times, setTimes] = useState(() => ({
    start: toZonedInput(Date.now() - 3600_000, timeZone),
    end: toZonedInput(Date.now(), timeZone),
  }));
  const [deviceId, setDeviceId] = useState("");
  const [metric, setMetric] = useState(DEFAULT_HEART_RATE_METRIC);
  const [error, setError] = useState<unknown>(null);
  const [pending, setPending] = useState(false);
  const names = new Map(exercises.map((e) => [e.id, e.name]));
  const update = (key: number, patch: Partial<SetRow>) =>
    setRows((r) => r.map((row) => (row.key === key ? { ...row, ...patch } : row)));

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setError(null);
    if (rows.length === 0) return setError("Add at least one set.");
    const start = new Date(fromZonedInput(times.start, timeZone));
    const end = times.end ? new Date(fromZonedInput(times.end, timeZone)) : undefined;
    if (Number.isNaN(start.getTime())) return setError("Pick when the workout started.");
    if (end && end < start) return setError("The end must not be before the start.");
    // The API's limit is in kg; said here in the form's unit, with the set as the form shows it.
    const heaviest = toDisplayWeight(MAX_WEIGHT_KG, unit);
    const tooHeavy = numbered(rows).find(
      (r) => r.weight.trim() !== "" && fromDisplayWeight(Number(r.weight), unit) > MAX_WEIGHT_KG,
    );
    if (tooHeavy) {
      return setError(
        `Weight (${unit}) of ${names.get(tooHeavy.exerciseId) ?? "the exercise"} set ${tooHeavy.setNumber} must be at most ${formatNumber(heaviest, locale)} ${unit}.`,
      );
    }
    setPending(true);
    try {
      const sets = numbered(rows).map((r) => ({
        exerciseId: r.exerciseId,
        setNumber: r.setNumber,
        reps: Number(r.reps),
        ...(r.weight.trim() === "" ? {} : { weightKg: fromDisplayWeight(Number(r.weight), unit) }),
      }));
      const created = (await sendJson("/api/workouts", "POST", {
        performedAt: start.toISOString(),
        ...(end ? { endedAt: end.toISOString() } : {}),
        ...(planId ? { planId } : {}),
        ...(deviceId ? { deviceId, heartRateMetric: metric.trim() || DEFAULT_HEART_RATE_METRIC } : {}),
        sets,
      })) as { id: string };
      router.push(`/dashboard/workouts/${created.id}`);
    } catch (e) {
      setError(e);
      setPending(false);
    }
  }

  return (
    <form className="stack" onSubmit={onSubmit} aria-label="Log workout">
      <section className="card form">
        <label className="field">
          <span>Plan</span>
          <select
            name="plan"
            value={planId}
            onChange={(e) => {
              setPlanId(e.target.value);
              setRows(rowsFromPlan(plans.find((p) => p.id === e.target.value)));
            }}
          >
            <option value="">Empty session</option>
            {plans.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </label>
        <div className="form-inline">
          <label className="field">
            <span>Started</span>
            <input
              type="datetime-local"
              required
              value={times.start}
              onChange={(e) => setTimes((t) => ({ ...t, start: e.target.value }))}
            />
          </label>
          <label className="field">
            <span>Ended</span>
            <input
              type="datetime-local"
              value={times.end}
              onChange={(e) => setTimes((t) => ({ ...t, end: e.target.value }))}
            />
          </label>
        </div>
        <label className="field">
          <span>Wearable (its heart rate is shown beside the workout)</span>
          <select name="device" value={deviceId} onChange={(e) => setDeviceId(e.target.value)}>
            <option value="">None</option>
            {devices.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name}
              </option>
            ))}
          </select>
        </label>
        {deviceId && (
          <label className="field">
            <span>Its metric to chart</span>
            <input name="metric" value={metric} maxLength={64} onChange={(e) => setMetric(e.target.value)} />
          </label>
        )}
      </section>
      <section className="card stack" style={{ gap: "0.5rem" }}>
        <h2 style={{ margin: 0 }}>Sets</h2>
        {rows.length === 0 && <p className="muted">No sets yet.</p>}
        {numbered(rows).map((r) => (
          <div key={r.key} className="form-inline" data-testid="set-row">
            <label className="field" style={{ flex: "1 1 160px" }}>
              <span>Exercise · set {r.setNumber}</span>
              <select
                aria-label="Exercise"
                value={r.exerciseId}
                onChange={(e) => update(r.key, { exerciseId: e.target.value })}
              >
                {exercises.map((x) => (
                  <option key={x.id} value={x.id}>
                    {x.name}
                  </option>
                ))}
              </select>
            </label>
            <label className="field">
              <span>Reps</span>
              <input
                aria-label="Reps"
                inputMode="numeric"
                type="number"
                min={0}
                max={1000}
                required
                value={r.reps}
                style={{ width: 72 }}
                onChange={(e) => update(r.key, { reps: e.target.value })}
              />
            </label>
            <label className="field">
              <span>Weight ({unit})</span>
              <input
                aria-label="Weight"
                inputMode="decimal"
                type="number"
                min={0}
                step="any"
                value={r.weight}
                style={{ width: 88 }}
                onChange={(e) => update(r.key, { weight: e.target.value })}
              />
            </label>
            <button
              type="button"
              className="btn btn-small"
              aria-label={`Remove set ${r.setNumber} of ${names.get(r.exerciseId)}`}
              onClick={() => setRows((rs) => rs.filter((x) => x.key !== r.key))}
            >
              ✕
            </button>
          </div>
        ))}
        <div className="row">
          <button
            type="button"
            className="btn"
            onClick={() =>
              setRows((rs) => {
                const last = rs.at(-1);
                return [
                  ...rs,
                  {
                    key: nextKey++,
                    exerciseId: last?.exerciseId ?? exercises[0]?.id ?? "",
                    reps: last?.reps ?? "10",
                    weight: last?.weight ?? "",
                  },
                ];
              })
            }
          >
            Add set
          </button>
        </div>
      </section>
      <FormError error={error} labels={FIELD_LABELS} />
      {/* On a phone the long form keeps its main button in reach (sticky at the bottom). */}
      <div className="form-actions">
        <button className="btn btn-primary" type="submit" disabled={pending}>
          {pending ? "Saving…" : "Save workout"}
        </button>
      </div>
    </form>
  );
}
