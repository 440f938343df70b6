"use client";

import { fromZonedInput } from "@pulseboard/schema/zoned-time";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { sendJson } from "@/lib/send-json";
import { FormError } from "./form-error";
import { usePrefs } from "./prefs";

export interface AlertActionState {
  id: string;
  status: "firing" | "resolved";
  acknowledged: boolean;
  snoozed: boolean;
}

const HOUR = 3600_000;

/**
 * Acknowledge and snooze (a firing alert), or end a snooze. `full`: with a note and a custom end,
 * as on the alert's page; otherwise the quick buttons of a list row.
 */
export function AlertActions({ alert, full = false }: { alert: AlertActionState; full?: boolean }) {
  const router = useRouter();
  const { timeZone } = usePrefs();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function run(action: () => Promise<unknown>) {
    setBusy(true);
    setError(null);
    try {
      await action();
      router.refresh();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const note = (form?: HTMLFormElement) => {
    const value = form ? String(new FormData(form).get("note") ?? "").trim() : "";
    return value === "" ? {} : { note: value };
  };
  const acknowledge = (form?: HTMLFormElement) =>
    run(() => sendJson(`/api/alerts/${alert.id}/acknowledge`, "POST", note(form)));
  const snooze = (body: Record<string, unknown>, form?: HTMLFormElement) =>
    run(() => sendJson(`/api/alerts/${alert.id}/snooze`, "POST", { ...body, ...note(form) }));

  if (alert.status !== "firing") return null;

  if (!full) {
    return (
      <div className="row">
        {!alert.acknowledged && (
          <button type="button" className="btn btn-small" disabled={busy} onClick={() => void acknowledge()}>
            Acknowledge
          </button>
        )}
        {alert.snoozed ? (
          <button
            type="button"
            className="btn btn-small"
            disabled={busy}
            onClick={() => void run(() => sendJson(`/api/alerts/${alert.id}/snooze`, "DELETE"))}
          >
            Unsnooze
          </button>
        ) : (
          <button
            type="button"
            className="btn btn-small"
            disabled={busy}
            onClick={() => void snooze({ until: new Date(Date.now() + HOUR).toISOString() })}
          >
            Snooze 1 h
          </button>
        )}
        <FormError error={error} />
      </div>
    );
  }

  function submitSnooze(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const choice = String(new FormData(form).get("snoozeFor") ?? "");
    if (choice === "resolved") return void snooze({ untilResolved: true }, form);
    if (choice === "custom") {
      const at = fromZonedInput(String(new FormData(form).get("snoozeUntil") ?? ""), timeZone);
      if (Number.isNaN(at)) return setError(new Error("Pick the time the snooze ends."));
      return void snooze({ until: new Date(at).toISOString() }, form);
    }
    void snooze({ until: new Date(Date.now() + Number(choice) * HOUR).toISOString() }, form);
  }

  return (
    <div className="stack">
      {!alert.acknowledged && (
        <form
          className="form-inline"
          aria-label="Acknowledge"
          onSubmit={(e) => {
            e.preventDefault();
            void acknowledge(e.currentTarget);
          }}
        >
          <label className="field">
            <span>Note (optional)</span>
            <input name="note" maxLength={500} placeholder="Replacing the pump" />
          </label>
          <button className="btn btn-primary" type="submit" disabled={busy}>
            Acknowledge
          </button>
        </form>
      )}
      {alert.snoozed ? (
        <div className="row">
          <button
            type="button"
            className="btn"
            disabled={busy}
            onClick={() => void run(() => sendJson(`/api/alerts/${alert.id}/snooze`, "DELETE"))}
          >
            Unsnooze
          </button>
        </div>
      ) : (
        <form className="form-inline" aria-label="Snooze" onSubmit={submitSnooze}>
          <label className="field">
            <span>Snooze notices</span>
            <select name="snoozeFor" defaultValue="1">
              <option value="1">for 1 hour</option>
              <option value="4">for 4 hours</option>
              <option value="24">for a day</option>
              <option value="resolved">until it resolves</option>
              <option value="custom">until…</option>
            </select>
          </label>
          <label className="field">
            <span>Until ({timeZone})</span>
            <input name="snoozeUntil" type="datetime-local" />
          </label>
          <label className="field">
            <span>Note (optional)</span>
            <input name="note" maxLength={500} />
          </label>
          <button className="btn" type="submit" disabled={busy}>
            Snooze
          </button>
        </form>
      )}
      <FormError error={error} labels={{ note: "Note", until: "Until" }} />
    </div>
  );
}
