"use client";

import { fromZonedInput } from "@pulseboard/schema/zoned-time";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { sendJson } from "@/lib/send-json";
import { FormError } from "./form-error";
import { LocalTime } from "./local-time";
import { usePrefs } from "./prefs";

/** A window as the page gets it (the maintenance_windows row, dates as strings). */
export interface MaintenanceRow {
  id: string;
  name: string;
  deviceId: string | null;
  tag: string | null;
  kind: "once" | "weekly";
  startsAt: string | null;
  endsAt: string | null;
  days: number[] | null;
  startTime: string | null;
  endTime: string | null;
  timeZone: string | null;
}

const DAY_NAMES = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const FIELD_LABELS = {
  name: "Name",
  startsAt: "From",
  endsAt: "Until",
  days: "Days",
  startTime: "From",
  endTime: "Until",
  tag: "Tag",
};

function Schedule({ w }: { w: MaintenanceRow }) {
  if (w.kind === "once") {
    return (
      <>
        {w.startsAt && <LocalTime value={w.startsAt} />} → {w.endsAt && <LocalTime value={w.endsAt} />}
      </>
    );
  }
  const days = (w.days ?? []).map((d) => DAY_NAMES[d - 1]).join(", ");
  const overnight = (w.endTime ?? "") <= (w.startTime ?? "");
  return (
    <>
      every {days}, {w.startTime}–{w.endTime}
      {overnight ? " (next day)" : ""} {w.timeZone}
    </>
  );
}

/**
 * A device's maintenance windows (its own and its tags'): while one lasts, its alerts are still
 * evaluated and shown but their notices wait until it ends.
 */
export function MaintenancePanel({
  deviceId,
  tags,
  windows,
  active,
}: {
  deviceId: string;
  tags: string[];
  windows: MaintenanceRow[];
  active: { name: string; until: string } | null;
}) {
  const router = useRouter();
  const { timeZone } = usePrefs();
  const [kind, setKind] = useState<"once" | "weekly">("once");
  const [error, setError] = useState<unknown>(null);
  const [pending, setPending] = useState(false);

  async function run(action: () => Promise<unknown>) {
    setPending(true);
    setError(null);
    try {
      await action();
      router.refresh();
      return true;
    } catch (err) {
      setError(err);
      return false;
    } finally {
      setPending(false);
    }
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const scope = String(data.get("scope") ?? "device");
    const target = scope === "device" ? { deviceId } : { tag: scope.slice("tag:".length) };
    const iso = (field: string) => {
      const ms = fromZonedInput(String(data.get(field) ?? ""), timeZone);
      return Number.isNaN(ms) ? "" : new Date(ms).toISOString();
    };
    const body =
      kind === "once"
        ? { name: data.get("name"), kind, ...target, startsAt: iso("startsAt"), endsAt: iso("endsAt") }
        : {
            name: data.get("name"),
            kind,
            ...target,
            days: DAY_NAMES.map((_, i) => i + 1).filter((d) => data.get(`day-${d}`) === "on"),
            startTime: data.get("startTime"),
            endTime: data.get("endTime"),
            timeZone,
          };
    if (await run(() => sendJson("/api/maintenance-windows", "POST", body))) form.reset();
  }

  return (
    <section className="card stack" aria-labelledby="maintenance-title">
      <h2 id="maintenance-title">Maintenance</h2>
      {active ? (
        <p data-testid="in-maintenance">
          <span className="badge badge-offline">in maintenance</span> {active.name}, until{" "}
          <LocalTime value={active.until} />: alerts are recorded, their notices wait until then.
        </p>
      ) : (
        <p className="small muted">
          While a window lasts, this device's alerts are still evaluated and shown, but nobody is notified; an
          alert still firing when it ends is notified then.
        </p>
      )}
      {windows.length > 0 && (
        <ul className="stack" style={{ paddingLeft: "1.2em" }}>
          {windows.map((w) => (
            <li key={w.id} data-testid="maintenance-window">
              <strong>{w.name}</strong>{" "}
              <span className="small">{w.tag ? `(tag ${w.tag})` : "(this device)"}</span>:{" "}
              <span className="small">
                <Schedule w={w} />
              </span>{" "}
              <button
                type="button"
                className="btn btn-small btn-danger"
                disabled={pending}
                aria-label={`Remove the window ${w.name}`}
                onClick={() => void run(() => sendJson(`/api/maintenance-windows/${w.id}`, "DELETE"))}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      <form className="form stack" onSubmit={submit} aria-label="Add a maintenance window">
        <div className="form-inline">
          <label className="field">
            <span>Name</span>
            <input name="name" required maxLength={100} placeholder="Pump repair" />
          </label>
          <label className="field">
            <span>For</span>
            <select name="scope" defaultValue="device">
              <option value="device">this device</option>
              {tags.map((t) => (
                <option key={t} value={`tag:${t}`}>
                  every device tagged {t}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>When</span>
            <select value={kind} onChange={(e) => setKind(e.target.value as "once" | "weekly")}>
              <option value="once">once</option>
              <option value="weekly">every week</option>
            </select>
          </label>
        </div>
        {kind === "once" ? (
          <div className="form-inline">
            <label className="field">
              <span>From ({timeZone})</span>
              <input name="startsAt" type="datetime-local" required />
            </label>
            <label className="field">
              <span>Until ({timeZone})</span>
              <input name="endsAt" type="datetime-local" required />
            </label>
          </div>
        ) : (
          <div className="form-inline">
            <fieldset className="row">
              <legend className="small">Days</legend>
              {DAY_NAMES.map((name, i) => (
                <label key={name} className="row small">
                  <input type="checkbox" name={`day-${i + 1}`} />
                  {name}
                </label>
              ))}
            </fieldset>
            <label className="field">
              <span>From ({timeZone})</span>
              <input name="startTime" type="time" required />
            </label>
            <label className="field">
              <span>Until (the next day if earlier)</span>
              <input name="endTime" type="time" required />
            </label>
          </div>
        )}
        <div className="row">
          <button className="btn" type="submit" disabled={pending}>
            Add window
          </button>
        </div>
        <FormError error={error} labels={FIELD_LABELS} />
      </form>
    </section>
  );
}
