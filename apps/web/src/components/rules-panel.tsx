"use client";

import type { AGGREGATES, COMPARATORS, NO_DATA_POLICIES } from "@pulseboard/schema/telemetry";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { COMPARATOR_SYMBOLS, describeRule, formatValue } from "@/lib/format";
import type { RuleStateView } from "@/lib/rule-state";
import { neverReportedWarning } from "@/lib/rule-state";
import { sendJson } from "@/lib/send-json";
import { type MetricDisplay, withUnit } from "@/lib/units";
import { FormError } from "./form-error";
import { usePrefs } from "./prefs";

/** The form's fields as it labels them, for the errors the API names them in. */
const FIELD_LABELS = {
  name: "Name",
  metric: "Metric",
  aggregate: "Aggregate",
  windowSeconds: "Over the last",
  comparator: "Is",
  threshold: "Threshold",
  recoveryThreshold: "Resolves past",
  noData: "With no data",
  severity: "Severity",
};

export interface RuleRow {
  id: string;
  name: string | null;
  metric: string;
  comparator: (typeof COMPARATORS)[number];
  threshold: number;
  aggregate: (typeof AGGREGATES)[number];
  windowSeconds: number;
  recoveryThreshold: number | null;
  noData: (typeof NO_DATA_POLICIES)[number];
  severity: "info" | "warning" | "critical";
  state: RuleStateView;
}

/** The schema's enums, from the server page (the schema is not bundled here). */
export interface RuleOptions {
  comparators: readonly RuleRow["comparator"][];
  aggregates: readonly RuleRow["aggregate"][];
  noDataPolicies: readonly RuleRow["noData"][];
}

const AGGREGATE_LABELS: Record<RuleRow["aggregate"], string> = {
  avg: "average",
  min: "minimum",
  max: "maximum",
  last: "latest value",
  count: "number of readings",
};
const NO_DATA_LABELS: Record<RuleRow["noData"], string> = {
  keep: "keep its state",
  resolve: "resolve the alert",
  fire: "fire (silence is a problem)",
};
const WINDOW_UNITS = [
  { key: "s", seconds: 1, label: "seconds" },
  { key: "min", seconds: 60, label: "minutes" },
  { key: "h", seconds: 3600, label: "hours" },
  { key: "d", seconds: 86_400, label: "days" },
] as const;

function windowParts(seconds: number) {
  const unit = [...WINDOW_UNITS].reverse().find((u) => seconds % u.seconds === 0) ?? WINDOW_UNITS[0];
  return { value: seconds / unit.seconds, unit: unit.key };
}

const STATE_BADGE: Record<RuleStateView["state"], string> = {
  firing: "badge-firing",
  ok: "badge-resolved",
  "no data": "badge-offline",
};

/** The body the API takes, from the form's fields. */
function ruleBody(data: FormData) {
  const unit = WINDOW_UNITS.find((u) => u.key === data.get("windowUnit")) ?? WINDOW_UNITS[0];
  const recovery = String(data.get("recoveryThreshold") ?? "").trim();
  return {
    name: String(data.get("name") ?? "").trim() || null,
    metric: String(data.get("metric") ?? "").trim(),
    aggregate: data.get("aggregate"),
    windowSeconds: Math.round(Number(data.get("window")) * unit.seconds),
    comparator: data.get("comparator"),
    threshold: Number(data.get("threshold")),
    ...(recovery === "" ? {} : { recoveryThreshold: Number(recovery) }),
    noData: data.get("noData"),
    severity: data.get("severity"),
  };
}

function RuleForm({
  deviceId,
  rule,
  metrics,
  options,
  onDone,
}: {
  deviceId: string;
  /** The rule being edited; none: a new rule. */
  rule?: RuleRow;
  metrics: string[];
  options: RuleOptions;
  onDone: (warnings: string[]) => void;
}) {
  const [error, setError] = useState<unknown>(null);
  const [pending, setPending] = useState(false);
  const [metric, setMetric] = useState(rule?.metric ?? metrics[0] ?? "");
  const window_ = windowParts(rule?.windowSeconds ?? 300);
  const formId = rule ? `rule-${rule.id}` : "rule-new";

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    setPending(true);
    setError(null);
    try {
      const saved = await sendJson<{ warnings?: string[] }>(
        rule ? `/api/rules/${rule.id}` : `/api/devices/${deviceId}/rules`,
        rule ? "PUT" : "POST",
        ruleBody(new FormData(form)),
      );
      if (!rule) {
        form.reset();
        setMetric(metrics[0] ?? "");
      }
      onDone(saved.warnings ?? []);
    } catch (e) {
      setError(e);
    } finally {
      setPending(false);
    }
  }

  const unknownMetric = metric.trim() !== "" && !metrics.includes(metric.trim());
  return (
    <form className="stack rule-form" onSubmit={onSubmit} aria-label={rule ? "Edit rule" : "New rule"}>
      <div className="form-inline">
        <label className="field">
          <span>Name (optional)</span>
          <input
            name="name"
            maxLength={100}
            defaultValue={rule?.name ?? ""}
            placeholder="Too hot"
            size={16}
          />
        </label>
        <label className="field">
          <span>Metric</span>
          <input
            name="metric"
            required
            list={`${formId}-metrics`}
            value={metric}
            onChange={(e) => setMetric(e.target.value)}
            size={12}
          />
          <datalist id={`${formId}-metrics`}>
            {metrics.map((m) => (
              <option key={m} value={m} />
            ))}
          </datalist>
        </label>
        <label className="field">
          <span>Aggregate</span>
          <select name="aggregate" defaultValue={rule?.aggregate ?? "avg"}>
            {options.aggregates.map((a) => (
              <option key={a} value={a}>
                {AGGREGATE_LABELS[a]}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Over the last</span>
          <span className="row" style={{ gap: "0.25rem", flexWrap: "nowrap" }}>
            <input
              name="window"
              type="number"
              min={1}
              step="any"
              defaultValue={window_.value}
              required
              style={{ width: 70 }}
              aria-label="Window"
            />
            <select name="windowUnit" defaultValue={window_.unit} aria-label="Window unit">
              {WINDOW_UNITS.map((u) => (
                <option key={u.key} value={u.key}>
                  {u.label}
                </option>
              ))}
            </select>
          </span>
        </label>
        <label className="field">
          <span>Is</span>
          <select name="comparator" defaultValue={rule?.comparator ?? "gt"} aria-label="Comparison">
            {options.comparators.map((c) => (
              <option key={c} value={c}>
                {COMPARATOR_SYMBOLS[c]}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Threshold</span>
          <input
            name="threshold"
            type="number"
            step="any"
            required
            defaultValue={rule?.threshold}
            style={{ width: 100 }}
          />
        </label>
        <label className="field">
          <span>Resolves past (optional)</span>
          <input
            name="recoveryThreshold"
            type="number"
            step="any"
            defaultValue={rule?.recoveryThreshold ?? ""}
            style={{ width: 100 }}
            aria-describedby={`${formId}-recovery-help`}
          />
        </label>
        <label className="field">
          <span>With no data</span>
          <select name="noData" defaultValue={rule?.noData ?? "keep"}>
            {options.noDataPolicies.map((p) => (
              <option key={p} value={p}>
                {NO_DATA_LABELS[p]}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Severity</span>
          <select name="severity" defaultValue={rule?.severity ?? "warning"}>
            <option value="info">info</option>
            <option value="warning">warning</option>
            <option value="critical">critical (escalates)</option>
          </select>
        </label>
        <button className="btn btn-primary" type="submit" disabled={pending}>
          {pending ? "Saving…" : rule ? "Save rule" : "Add rule"}
        </button>
        {rule && (
          <button className="btn" type="button" onClick={() => onDone([])}>
            Cancel
          </button>
        )}
      </div>
      <p className="small muted" id={`${formId}-recovery-help`}>
        “Resolves past”: a firing alert resolves only once the value is back past this (below it for &gt; and
        ≥, above it for &lt; and ≤), so a value hovering at the threshold does not flap.
      </p>
      {unknownMetric && (
        <p className="notice small" data-testid="metric-warning">
          {neverReportedWarning(metric.trim())}
        </p>
      )}
      <FormError error={error} labels={FIELD_LABELS} />
    </form>
  );
}

export function RulesPanel({
  deviceId,
  rules,
  metrics,
  options,
  display,
}: {
  deviceId: string;
  rules: RuleRow[];
  metrics: string[];
  options: RuleOptions;
  /** How metrics read (display name, unit); a Map, since a metric may be named `constructor`. */
  display?: ReadonlyMap<string, MetricDisplay>;
}) {
  const router = useRouter();
  const { locale } = usePrefs();
  const [error, setError] = useState<unknown>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const [warnings, setWarnings] = useState<string[]>([]);

  async function onDelete(id: string) {
    setError(null);
    try {
      await sendJson(`/api/rules/${id}`, "DELETE");
      router.refresh();
    } catch (e) {
      setError(e);
    }
  }

  const done = (next: string[]) => {
    setEditing(null);
    setWarnings(next);
    router.refresh();
  };

  return (
    <section className="card stack" aria-labelledby="rules-title">
      <h2 id="rules-title">Alert rules</h2>
      {rules.length === 0 ? (
        <p className="muted">No rules yet.</p>
      ) : (
        <ul className="stack" style={{ listStyle: "none", margin: 0, padding: 0, gap: "0.5rem" }}>
          {rules.map((r) => (
            <li key={r.id} data-testid="rule-row" data-state={r.state.state}>
              {editing === r.id ? (
                <RuleForm deviceId={deviceId} rule={r} metrics={metrics} options={options} onDone={done} />
              ) : (
                <div className="row">
                  <span className={`badge ${STATE_BADGE[r.state.state]}`} data-testid="rule-state">
                    {r.state.state}
                  </span>
                  <span className="badge" data-testid="rule-severity">
                    {r.severity}
                  </span>
                  <span>
                    {r.name && <strong>{r.name}: </strong>}
                    {describeRule({
                      ...r,
                      metric: display?.get(r.metric)?.label ?? r.metric,
                      unit: display?.get(r.metric)?.unit ?? "",
                      locale,
                    })}
                    {r.recoveryThreshold !== null &&
                      `, resolves past ${withUnit(formatValue(r.recoveryThreshold, locale), display?.get(r.metric)?.unit ?? "")}`}
                    {r.noData !== "keep" && `, no data: ${NO_DATA_LABELS[r.noData]}`}
                    {r.state.detail && <span className="small muted"> ({r.state.detail})</span>}
                  </span>
                  <button type="button" className="btn btn-small" onClick={() => setEditing(r.id)}>
                    Edit
                  </button>
                  <button type="button" className="btn btn-small btn-danger" onClick={() => onDelete(r.id)}>
                    Delete
                  </button>
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
      {warnings.map((w) => (
        <p key={w} className="notice" role="status" data-testid="rule-saved-warning">
          Saved. {w}
        </p>
      ))}
      <h3>New rule</h3>
      <RuleForm deviceId={deviceId} metrics={metrics} options={options} onDone={done} />
      <FormError error={error} labels={FIELD_LABELS} />
    </section>
  );
}
