"use client";

import type { PreferencesBody } from "@pulseboard/schema/fitness";
import { useActionState } from "react";
import {
  type ActionState,
  rotateSecretAction,
  savePreferencesAction,
  saveWebhookAction,
  sendTestAction,
} from "@/app/settings/actions";
import { CopyButton } from "./copy-button";

function Result({ state }: { state: ActionState }) {
  if (!state) return null;
  return (
    <p className={state.ok ? "success" : "error"} role="status" data-testid="action-result">
      {state.message}
    </p>
  );
}

export function WebhookForm({ url }: { url: string }) {
  const [state, action, pending] = useActionState(saveWebhookAction, null);
  return (
    <form action={action} className="form">
      <label className="field">
        <span>Webhook URL (alert transitions are POSTed here; leave empty to turn off)</span>
        <input
          name="webhookUrl"
          type="url"
          defaultValue={url}
          placeholder="https://example.com/hooks/pulseboard"
        />
      </label>
      <div className="row">
        <button className="btn btn-primary" type="submit" disabled={pending}>
          {pending ? "Saving…" : "Save"}
        </button>
      </div>
      <Result state={state} />
    </form>
  );
}

export function SecretPanel({ secret }: { secret: string }) {
  const [state, action, pending] = useActionState(rotateSecretAction, null);
  return (
    <form action={action} className="form">
      <div className="field">
        <span>Signing secret</span>
        <div className="row">
          <code data-testid="webhook-secret" style={{ wordBreak: "break-all" }}>
            {secret}
          </code>
          <CopyButton text={secret} label="Copy secret" />
        </div>
      </div>
      <div className="row">
        <button className="btn" type="submit" disabled={pending}>
          {pending ? "Rotating…" : "Rotate secret"}
        </button>
      </div>
      <Result state={state} />
    </form>
  );
}

export function SendTestButton() {
  const [state, action, pending] = useActionState(sendTestAction, null);
  return (
    <form action={action} className="form">
      <div className="row">
        <button className="btn" type="submit" disabled={pending}>
          {pending ? "Sending…" : "Send test"}
        </button>
      </div>
      <Result state={state} />
    </form>
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
