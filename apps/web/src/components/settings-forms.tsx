"use client";

import { useActionState } from "react";
import {
  type ActionState,
  rotateSecretAction,
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
