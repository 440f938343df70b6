// Messages the ingest refused from this device, so whoever integrates it sees why data is missing:
// counts per reason over the last 24 hours and the latest refusal with its problem.
import type { DeviceRejectionsView } from "@pulseboard/schema/queries/rejections";
import { LocalTime } from "@/components/local-time";

/** Each reason the ingest gives, in words: what was wrong and what to do. */
const REASONS: Record<string, { label: string; hint: string }> = {
  invalid_json: { label: "Invalid JSON", hint: "the body is not valid JSON" },
  bad_shape: {
    label: "Bad body",
    hint: "not one of the accepted shapes: {metric: value}, {ts, values}, {readings: [...]} or an array of them",
  },
  bad_metric: { label: "Metric name", hint: "metric names are 1–64 characters of A–Z a–z 0–9 _ . -" },
  bad_value: {
    label: "Value",
    hint: "values must be finite numbers between -1e15 and 1e15 (not strings, NaN or Infinity)",
  },
  bad_timestamp: {
    label: "Timestamp",
    hint: "ts must be epoch milliseconds or ISO-8601 with an offset, after 2000 (seconds sent as milliseconds?)",
  },
  future_timestamp: {
    label: "Future timestamp",
    hint: "ts more than 5 minutes ahead of the server's clock: check the device's clock",
  },
  too_old: {
    label: "Too old",
    hint: "recorded before the raw retention start (30 days by default): older readings are not stored",
  },
  empty: { label: "Empty message", hint: "the message held no readings" },
  too_many: { label: "Too many readings", hint: "at most 1000 readings per message" },
  rate_limited: {
    label: "Over the rate",
    hint: "more messages than the device's rate allows: send less often",
  },
  foreign_topic: {
    label: "Another device's topic",
    hint: "connected with this device's key but published to another device's topic",
  },
  bad_topic: {
    label: "Wrong topic",
    hint: "connected with this device's key but published outside devices/<device_key>/readings",
  },
};

export function reasonLabel(reason: string): string {
  return REASONS[reason]?.label ?? reason;
}

export function RejectionsPanel({ rejections }: { rejections: DeviceRejectionsView }) {
  const { last24h, last } = rejections;
  const total = last24h.reduce((n, r) => n + r.count, 0);
  return (
    <section className="card" aria-labelledby="rejections-title" data-testid="rejections">
      <h2 id="rejections-title">Rejected messages</h2>
      <p className={total > 0 ? "" : "muted"}>
        <span data-testid="rejected-count">{total}</span> {total === 1 ? "message" : "messages"} rejected in
        the last 24 hours.
      </p>
      {last24h.length > 0 && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th>Reason</th>
                <th>Messages</th>
                <th>What it means</th>
              </tr>
            </thead>
            <tbody>
              {last24h.map((r) => (
                <tr key={r.reason} data-testid="rejection-row" data-reason={r.reason}>
                  <td>{reasonLabel(r.reason)}</td>
                  <td>{r.count}</td>
                  <td className="small muted">{REASONS[r.reason]?.hint ?? ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {last && (
        <p className="small" data-testid="last-rejection">
          Last rejected: <strong>{reasonLabel(last.reason)}</strong> at <LocalTime value={last.at} />
          {last.detail && (
            <>
              {" "}
              — <span className="mono">{last.detail}</span>
            </>
          )}
        </p>
      )}
      <p className="small muted">
        Unknown keys are refused before a device is known, so they do not show here: a device that connects
        with its key as MQTT username is told "not authorized" at connect.
      </p>
    </section>
  );
}
