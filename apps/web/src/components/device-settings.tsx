"use client";

import { errorMessage } from "@pulseboard/runtime/errors";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { formatDuration } from "@/lib/format";
import { sendJson } from "@/lib/send-json";
import { type MetricDisplaySetting, resolveDisplay } from "@/lib/units";

/** Whole minutes when the timeout is one, else seconds: what the form shows. */
function timeoutParts(seconds: number): { value: number; unit: "s" | "min" | "h" } {
  if (seconds % 3600 === 0) return { value: seconds / 3600, unit: "h" };
  if (seconds % 60 === 0) return { value: seconds / 60, unit: "min" };
  return { value: seconds, unit: "s" };
}
const UNIT_SECONDS = { s: 1, min: 60, h: 3600 } as const;

/** Rename, offline timeout, tags; and how the device's metrics are named and measured. */
export function DeviceSettings({
  device,
  metrics,
  display,
}: {
  device: { id: string; name: string; silenceSeconds: number; tags: string[] };
  metrics: string[];
  /** The owner's stored display settings (any metric). */
  display: MetricDisplaySetting[];
}) {
  const router = useRouter();
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [pending, setPending] = useState(false);
  const timeout = timeoutParts(device.silenceSeconds);

  async function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const unit = String(data.get("timeoutUnit")) as keyof typeof UNIT_SECONDS;
    const silenceSeconds = Math.round(Number(data.get("timeout")) * (UNIT_SECONDS[unit] ?? 60));
    const tags = String(data.get("tags") ?? "")
      .split(",")
      .map((t) => t.trim())
      .filter(Boolean);
    setPending(true);
    setMessage(null);
    try {
      await sendJson(`/api/devices/${device.id}`, "PATCH", {
        name: String(data.get("name") ?? ""),
        silenceSeconds,
        tags,
      });
      setMessage({
        ok: true,
        text: `Saved. Offline after ${formatDuration(silenceSeconds)} without a reading.`,
      });
      router.refresh();
    } catch (e) {
      setMessage({ ok: false, text: errorMessage(e) });
    } finally {
      setPending(false);
    }
  }

  async function saveDisplay(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    setPending(true);
    setMessage(null);
    try {
      for (const metric of metrics) {
        const name = String(data.get(`name:${metric}`) ?? "").trim();
        const unit = String(data.get(`unit:${metric}`) ?? "").trim();
        const stored = display.find((d) => d.metric === metric);
        const defaults = resolveDisplay(metric);
        // A unit left at its default is stored as "default" (null), so a better default later applies.
        const next = { displayName: name || null, unit: unit === defaults.unit ? null : unit };
        if ((stored?.displayName ?? null) === next.displayName && (stored?.unit ?? null) === next.unit)
          continue;
        await sendJson("/api/metric-display", "PUT", { metric, ...next });
      }
      setMessage({ ok: true, text: "Saved names and units." });
      router.refresh();
    } catch (e) {
      setMessage({ ok: false, text: errorMessage(e) });
    } finally {
      setPending(false);
    }
  }

  return (
    <section className="card stack" aria-labelledby="settings-title">
      <h2 id="settings-title">Device settings</h2>
      <form className="form-inline" onSubmit={save} aria-label="Device settings">
        <label className="field">
          <span>Name</span>
          <input name="name" required maxLength={100} defaultValue={device.name} size={20} />
        </label>
        <label className="field">
          <span>Offline after</span>
          <span className="row" style={{ gap: "0.25rem", flexWrap: "nowrap" }}>
            <input
              name="timeout"
              type="number"
              min={1}
              step="any"
              required
              defaultValue={timeout.value}
              style={{ width: 80 }}
              aria-label="Offline timeout"
            />
            <select name="timeoutUnit" defaultValue={timeout.unit} aria-label="Offline timeout unit">
              <option value="s">seconds</option>
              <option value="min">minutes</option>
              <option value="h">hours</option>
            </select>
          </span>
        </label>
        <label className="field">
          <span>Tags (comma-separated)</span>
          <input
            name="tags"
            defaultValue={device.tags.join(", ")}
            placeholder="greenhouse, north"
            size={24}
          />
        </label>
        <button className="btn btn-primary" type="submit" disabled={pending}>
          Save
        </button>
      </form>
      {metrics.length > 0 && (
        <form className="stack" onSubmit={saveDisplay} aria-label="Metric names and units">
          <h3>Metric names and units</h3>
          <p className="small muted">
            Shown on charts and rules, for this metric on all your devices. Empty: the metric’s own name; the
            unit’s default is filled in for well-known names.
          </p>
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>Metric</th>
                  <th>Display name</th>
                  <th>Unit</th>
                </tr>
              </thead>
              <tbody>
                {metrics.map((metric) => {
                  const stored = display.find((d) => d.metric === metric);
                  const shown = resolveDisplay(metric, stored);
                  return (
                    <tr key={metric} data-testid="metric-display-row">
                      <td className="mono">{metric}</td>
                      <td>
                        <input
                          name={`name:${metric}`}
                          defaultValue={stored?.displayName ?? ""}
                          placeholder={metric}
                          maxLength={64}
                          aria-label={`Display name of ${metric}`}
                        />
                      </td>
                      <td>
                        <input
                          name={`unit:${metric}`}
                          defaultValue={shown.unit}
                          maxLength={16}
                          size={6}
                          aria-label={`Unit of ${metric}`}
                        />
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <div>
            <button className="btn" type="submit" disabled={pending}>
              Save names and units
            </button>
          </div>
        </form>
      )}
      {message && (
        <p className={message.ok ? "success" : "error"} role={message.ok ? "status" : "alert"}>
          {message.text}
        </p>
      )}
    </section>
  );
}
