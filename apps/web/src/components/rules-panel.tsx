"use client";

import { errorMessage } from "@pulseboard/runtime/errors";
import type { AGGREGATES, COMPARATORS } from "@pulseboard/schema/telemetry";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { COMPARATOR_SYMBOLS, describeRule } from "@/lib/format";
import { sendJson } from "@/lib/send-json";

export interface RuleRow {
  id: string;
  metric: string;
  comparator: (typeof COMPARATORS)[number];
  threshold: number;
  aggregate: (typeof AGGREGATES)[number];
  windowSeconds: number;
  firing: boolean;
}

export function RulesPanel({
  deviceId,
  rules,
  metrics,
  comparators,
  aggregates,
}: {
  deviceId: string;
  rules: RuleRow[];
  metrics: string[];
  /** The schema's COMPARATORS and AGGREGATES, from the server page (the schema is not bundled here). */
  comparators: readonly RuleRow["comparator"][];
  aggregates: readonly RuleRow["aggregate"][];
}) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function onCreate(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    setPending(true);
    setError(null);
    try {
      const threshold = Number(data.get("threshold"));
      const windowSeconds = Number(data.get("windowSeconds"));
      await sendJson(`/api/devices/${deviceId}/rules`, "POST", {
        metric: String(data.get("metric") ?? "").trim(),
        comparator: data.get("comparator"),
        threshold,
        windowSeconds,
        aggregate: data.get("aggregate"),
      });
      form.reset();
      router.refresh();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setPending(false);
    }
  }

  async function onDelete(id: string) {
    setError(null);
    try {
      await sendJson(`/api/rules/${id}`, "DELETE");
      router.refresh();
    } catch (e) {
      setError(errorMessage(e));
    }
  }

  return (
    <section className="card stack" aria-labelledby="rules-title">
      <h2 id="rules-title">Alert rules</h2>
      {rules.length === 0 ? (
        <p className="muted">No rules yet.</p>
      ) : (
        <ul className="stack" style={{ listStyle: "none", margin: 0, padding: 0, gap: "0.4rem" }}>
          {rules.map((r) => (
            <li key={r.id} className="row" data-testid="rule-row">
              <span className={`badge badge-${r.firing ? "firing" : "resolved"}`}>
                {r.firing ? "firing" : "ok"}
              </span>
              <span>{describeRule(r)}</span>
              <button type="button" className="btn btn-small btn-danger" onClick={() => onDelete(r.id)}>
                Delete
              </button>
            </li>
          ))}
        </ul>
      )}
      <form className="form-inline" onSubmit={onCreate} aria-label="New rule">
        <label className="field">
          <span>Metric</span>
          <input name="metric" required list="rule-metrics" defaultValue={metrics[0] ?? ""} size={12} />
          <datalist id="rule-metrics">
            {metrics.map((m) => (
              <option key={m} value={m} />
            ))}
          </datalist>
        </label>
        <label className="field">
          <span>Aggregate</span>
          <select name="aggregate" defaultValue="avg">
            {aggregates.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Window (s)</span>
          <input
            name="windowSeconds"
            type="number"
            min={1}
            max={2592000}
            defaultValue={60}
            required
            style={{ width: 90 }}
          />
        </label>
        <label className="field">
          <span>Is</span>
          <select name="comparator" defaultValue="gt">
            {comparators.map((c) => (
              <option key={c} value={c}>
                {COMPARATOR_SYMBOLS[c]}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Threshold</span>
          <input name="threshold" type="number" step="any" required style={{ width: 100 }} />
        </label>
        <button className="btn btn-primary" type="submit" disabled={pending}>
          {pending ? "Adding…" : "Add rule"}
        </button>
      </form>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
