"use client";

import type { PreferencesBody } from "@pulseboard/schema/fitness";
import { useActionState } from "react";
import { type ActionState, savePreferencesAction } from "@/app/settings/actions";

function Result({ state }: { state: ActionState }) {
  if (!state) return null;
  return (
    <p className={state.ok ? "success" : "error"} role="status" data-testid="action-result">
      {state.message}
    </p>
  );
}

export function PreferencesForm({ values }: { values: PreferencesBody }) {
  const [state, action, pending] = useActionState(savePreferencesAction, null);
  return (
    <form action={action} className="form" aria-label="Fitness preferences">
      <div className="form-inline">
        <label className="field">
          <span>Weights in</span>
          <select name="weightUnit" defaultValue={values.weightUnit}>
            <option value="kg">kg</option>
            <option value="lb">lb</option>
          </select>
        </label>
        <label className="field">
          <span>e1RM formula</span>
          <select name="e1rmFormula" defaultValue={values.e1rmFormula}>
            <option value="epley">Epley</option>
            <option value="brzycki">Brzycki</option>
          </select>
        </label>
        <label className="field">
          <span>No estimate above (reps)</span>
          <input
            name="repCap"
            type="number"
            min={1}
            max={30}
            defaultValue={values.repCap}
            style={{ width: 90 }}
          />
        </label>
        <label className="field">
          <span>Age</span>
          <input
            name="age"
            type="number"
            min={5}
            max={120}
            defaultValue={values.age ?? ""}
            style={{ width: 90 }}
          />
        </label>
        <label className="field">
          <span>Max heart rate</span>
          <input
            name="maxHeartRate"
            type="number"
            min={100}
            max={250}
            defaultValue={values.maxHeartRate ?? ""}
            placeholder="220 − age"
            style={{ width: 110 }}
          />
        </label>
      </div>
      <div className="row">
        <button className="btn btn-primary" type="submit" disabled={pending}>
          {pending ? "Saving…" : "Save preferences"}
        </button>
      </div>
      <Result state={state} />
    </form>
  );
}
