"use client";

import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { authClient } from "@/lib/auth-client";
import { sendJson } from "@/lib/send-json";
import { CopyButton } from "./copy-button";
import { FormError } from "./form-error";

/** A channel as the page gets it (lib/notification-channels.ts channelView). */
export interface ChannelRow {
  id: string;
  kind: "webhook" | "email" | "slack";
  name: string;
  severities: Severity[];
  isAccount: boolean;
  url: string | null;
  address: string | null;
  verified: boolean;
  secret: string | null;
  previousSecretUntil: string | null;
}

type Severity = "info" | "warning" | "critical";
const SEVERITIES: Severity[] = ["info", "warning", "critical"];
const KIND_LABELS = { webhook: "Webhook", email: "E-mail", slack: "Slack-compatible" } as const;
const FIELD_LABELS = { name: "Name", url: "URL", address: "E-mail address", severities: "Severities" };

type Answer = { ok: boolean; message: string } | null;

function Answer({ answer }: { answer: Answer }) {
  if (!answer) return null;
  return (
    <p className={answer.ok ? "success" : "error"} role="status" data-testid="channel-answer">
      {answer.message}
    </p>
  );
}

function ChannelItem({
  channel,
  canMail,
  canVerify,
}: {
  channel: ChannelRow;
  canMail: boolean;
  canVerify: boolean;
}) {
  const router = useRouter();
  const [error, setError] = useState<unknown>(null);
  const [answer, setAnswer] = useState<Answer>(null);
  const [busy, setBusy] = useState(false);

  async function act(run: () => Promise<Answer | undefined>) {
    setBusy(true);
    setError(null);
    setAnswer(null);
    try {
      const result = await run();
      if (result) setAnswer(result);
      router.refresh();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  // Shown ticked at once; put back if the server refuses.
  const [severities, setSeverities] = useState(channel.severities);
  const toggle = (severity: Severity, on: boolean) => {
    const before = severities;
    const next = SEVERITIES.filter((s) => (s === severity ? on : severities.includes(s)));
    setSeverities(next);
    return act(async () => {
      try {
        await sendJson(`/api/notifications/channels/${channel.id}`, "PATCH", { severities: next });
      } catch (error) {
        setSeverities(before);
        throw error;
      }
      return undefined;
    });
  };

  const target = channel.kind === "email" ? channel.address : channel.url;
  return (
    <li className="card stack" data-testid="channel" data-kind={channel.kind} aria-label={channel.name}>
      <div className="row" style={{ justifyContent: "space-between" }}>
        <div>
          <strong>{channel.name}</strong> <span className="badge">{KIND_LABELS[channel.kind]}</span>{" "}
          {channel.kind === "email" && !channel.verified && (
            <span className="badge badge-offline" data-testid="unverified">
              {channel.isAccount ? "not verified" : "not confirmed"}
            </span>
          )}
          <div className="small muted" style={{ wordBreak: "break-all" }}>
            {target ?? "(your account has no e-mail address)"}
          </div>
        </div>
      </div>
      {channel.kind === "email" && !channel.verified && (
        <p className="small">
          {channel.isAccount
            ? "Nothing is sent to your account e-mail until it is verified."
            : "Nothing is sent here until the address is confirmed: use the link we mailed to it."}
          {!canMail && " This server has no mail server configured (SMTP_URL), so no e-mail can be sent."}
        </p>
      )}
      <fieldset className="row">
        <legend className="small">Receives</legend>
        {SEVERITIES.map((s) => (
          <label key={s} className="row small">
            <input
              type="checkbox"
              checked={severities.includes(s)}
              disabled={busy}
              onChange={(e) => void toggle(s, e.target.checked)}
            />
            {s}
          </label>
        ))}
      </fieldset>
      {channel.kind === "webhook" && channel.secret && (
        <div className="field">
          <span className="small">Signing secret (Standard Webhooks)</span>
          <div className="row">
            <code data-testid="webhook-secret" style={{ wordBreak: "break-all" }}>
              {channel.secret}
            </code>
            <CopyButton text={channel.secret} label="Copy secret" />
          </div>
          {channel.previousSecretUntil && new Date(channel.previousSecretUntil) > new Date() && (
            <span className="small muted">
              The previous secret also signs until {channel.previousSecretUntil}.
            </span>
          )}
        </div>
      )}
      <div className="row">
        <button
          className="btn"
          type="button"
          disabled={busy}
          onClick={() =>
            void act(() => sendJson<Answer>(`/api/notifications/channels/${channel.id}/test`, "POST"))
          }
        >
          Send test
        </button>
        {channel.kind === "webhook" && (
          <button
            className="btn"
            type="button"
            disabled={busy}
            onClick={() =>
              void act(async () => {
                await sendJson(`/api/notifications/channels/${channel.id}/rotate-secret`, "POST");
                return { ok: true, message: "New secret created; the old one also signs for a day." };
              })
            }
          >
            Rotate secret
          </button>
        )}
        {channel.isAccount && !channel.verified && canVerify && canMail && channel.address && (
          <button
            className="btn"
            type="button"
            disabled={busy}
            onClick={() =>
              void act(async () => {
                const { error } = await authClient.sendVerificationEmail({
                  email: channel.address ?? "",
                  callbackURL: "/settings",
                });
                if (error) throw new Error(error.message ?? "The verification e-mail was not sent.");
                return { ok: true, message: `We sent a verification link to ${channel.address}.` };
              })
            }
          >
            Send a verification link
          </button>
        )}
        {channel.kind === "email" && !channel.isAccount && !channel.verified && (
          <button
            className="btn"
            type="button"
            disabled={busy}
            onClick={() =>
              void act(() =>
                sendJson<Answer>(`/api/notifications/channels/${channel.id}/confirmation`, "POST"),
              )
            }
          >
            Send the link again
          </button>
        )}
        {!channel.isAccount && (
          <button
            className="btn btn-danger"
            type="button"
            disabled={busy}
            onClick={() =>
              void act(async () => {
                await sendJson(`/api/notifications/channels/${channel.id}`, "DELETE");
                return undefined;
              })
            }
          >
            Remove
          </button>
        )}
      </div>
      <Answer answer={answer} />
      <FormError error={error} labels={FIELD_LABELS} />
    </li>
  );
}

function AddChannelForm() {
  const router = useRouter();
  const [kind, setKind] = useState<ChannelRow["kind"]>("email");
  const [error, setError] = useState<unknown>(null);
  const [answer, setAnswer] = useState<Answer>(null);
  const [pending, setPending] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    setPending(true);
    setError(null);
    setAnswer(null);
    try {
      const severities = SEVERITIES.filter((s) => data.get(`severity-${s}`) === "on");
      const base = { kind, name: String(data.get("name") ?? ""), severities };
      const body =
        kind === "email"
          ? { ...base, address: String(data.get("address") ?? "") }
          : { ...base, url: String(data.get("url") ?? "") };
      const created = await sendJson<{ confirmation: Answer }>("/api/notifications/channels", "POST", body);
      setAnswer(created.confirmation ?? { ok: true, message: "Channel added." });
      form.reset();
      router.refresh();
    } catch (err) {
      setError(err);
    } finally {
      setPending(false);
    }
  }

  return (
    <form className="form stack" onSubmit={submit} aria-label="Add a channel">
      <div className="form-inline">
        <label className="field">
          <span>Kind</span>
          <select value={kind} onChange={(e) => setKind(e.target.value as ChannelRow["kind"])}>
            <option value="email">E-mail</option>
            <option value="webhook">Webhook (Standard Webhooks)</option>
            <option value="slack">Slack, Mattermost or Discord (Slack-compatible URL)</option>
          </select>
        </label>
        <label className="field">
          <span>Name</span>
          <input name="name" required maxLength={100} placeholder="On-call" />
        </label>
        {kind === "email" ? (
          <label className="field">
            <span>E-mail address</span>
            <input name="address" type="email" required placeholder="ops@example.com" />
          </label>
        ) : (
          <label className="field">
            <span>URL</span>
            <input
              name="url"
              type="url"
              required
              placeholder={
                kind === "slack" ? "https://hooks.slack.com/services/…" : "https://example.com/hooks"
              }
            />
          </label>
        )}
      </div>
      <fieldset className="row">
        <legend className="small">Receives</legend>
        {SEVERITIES.map((s) => (
          <label key={s} className="row small">
            <input type="checkbox" name={`severity-${s}`} defaultChecked={s !== "info"} />
            {s}
          </label>
        ))}
      </fieldset>
      <div className="row">
        <button className="btn btn-primary" type="submit" disabled={pending}>
          {pending ? "Adding…" : "Add channel"}
        </button>
      </div>
      <Answer answer={answer} />
      <FormError error={error} labels={FIELD_LABELS} />
    </form>
  );
}

function EscalationForm({
  channels,
  settings,
}: {
  channels: ChannelRow[];
  settings: { escalationChannelId: string | null; escalationMinutes: number };
}) {
  const router = useRouter();
  const [error, setError] = useState<unknown>(null);
  const [answer, setAnswer] = useState<Answer>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    setError(null);
    setAnswer(null);
    try {
      const channel = String(data.get("escalationChannelId") ?? "");
      await sendJson("/api/notifications/settings", "PUT", {
        escalationChannelId: channel === "" ? null : channel,
        escalationMinutes: Number(data.get("escalationMinutes")),
      });
      setAnswer({ ok: true, message: "Escalation saved." });
      router.refresh();
    } catch (err) {
      setError(err);
    }
  }

  return (
    <form className="form" onSubmit={submit} aria-label="Escalation">
      <div className="form-inline">
        <label className="field">
          <span>A critical alert nobody acknowledged goes once more to</span>
          <select name="escalationChannelId" defaultValue={settings.escalationChannelId ?? ""}>
            <option value="">nowhere (no escalation)</option>
            {channels.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>after (minutes)</span>
          <input
            name="escalationMinutes"
            type="number"
            min={1}
            max={1440}
            defaultValue={settings.escalationMinutes}
            style={{ width: 90 }}
          />
        </label>
        <button className="btn" type="submit">
          Save
        </button>
      </div>
      <Answer answer={answer} />
      <FormError error={error} labels={{ escalationChannelId: "Channel", escalationMinutes: "Minutes" }} />
    </form>
  );
}

/** The settings page's notifications: channels with routing, tests and secrets; escalation. */
export function NotificationSettings({
  channels,
  settings,
  canMail,
  canVerify,
}: {
  channels: ChannelRow[];
  settings: { escalationChannelId: string | null; escalationMinutes: number };
  canMail: boolean;
  /** The account's e-mail is verified here (Better Auth); Clerk verifies it itself. */
  canVerify: boolean;
}) {
  return (
    <div className="stack">
      <ul className="stack" style={{ listStyle: "none", padding: 0 }} aria-label="Channels">
        {channels.map((c) => (
          <ChannelItem key={c.id} channel={c} canMail={canMail} canVerify={canVerify} />
        ))}
      </ul>
      <h3>Add a channel</h3>
      <AddChannelForm />
      <h3>Escalation</h3>
      <EscalationForm channels={channels} settings={settings} />
    </div>
  );
}
