import { alertTimeline, type TimelineEntry } from "@pulseboard/schema/queries/alert-actions";
import { getAlert } from "@pulseboard/schema/queries/alerts";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { AlertActions } from "@/components/alert-actions";
import { LiveRefresh } from "@/components/live-refresh";
import { LocalTime } from "@/components/local-time";
import { db } from "@/lib/db";
import { describeRule, formatValue } from "@/lib/format";
import { isUuid } from "@/lib/params";
import { requestPrefs } from "@/lib/prefs";
import { requireSession } from "@/lib/session";

export const metadata: Metadata = { title: "Alert" };

const KIND_WORDS: Record<TimelineEntry["kind"], string> = {
  fired: "Fired",
  resolved: "Resolved",
  acknowledged: "Acknowledged",
  snoozed: "Snoozed",
  unsnoozed: "Snooze ended",
  escalated: "Escalated (not acknowledged in time)",
};

const DELIVERY_WORDS = {
  pending: "waiting",
  in_flight: "sending",
  delivered: "delivered",
  failed: "failed",
  skipped: "not sent",
} as const;

function NoticeWords({ entry }: { entry: TimelineEntry }) {
  switch (entry.notice) {
    case "none":
      return null;
    case "held":
      return <span className="badge badge-offline">notice held: {entry.holdReason}</span>;
    case "dropped":
      return <span className="badge">no notice (it resolved while held)</span>;
    case "sent":
      return entry.holdReason ? (
        <span className="small muted">
          notice held ({entry.holdReason}), sent{" "}
          {entry.noticeAt ? <LocalTime value={entry.noticeAt} /> : null}
        </span>
      ) : null;
  }
}

/** An alert: what fired, what was done about it, and where each notice went (the delivery log). */
export default async function AlertPage({ params }: { params: Promise<{ id: string }> }) {
  const session = await requireSession();
  const { id } = await params;
  if (!isUuid(id)) notFound();
  const [alert, timeline, prefs] = await Promise.all([
    getAlert(db, session.user.id, id),
    alertTimeline(db, session.user.id, id),
    requestPrefs(session.user.id),
  ]);
  if (!alert) notFound();
  const now = Date.now();
  const snoozed =
    alert.status === "firing" &&
    (alert.snoozedUntilResolved || (alert.snoozedUntil !== null && alert.snoozedUntil.getTime() > now));
  return (
    <div className="stack">
      <LiveRefresh deviceId={alert.deviceId} />
      <div className="page-head">
        <div>
          <h1>
            {alert.ruleName ?? describeRule({ ...alert, locale: prefs.locale })} on {alert.deviceName}
          </h1>
          <p className="row">
            <span className={`badge badge-${alert.status}`} data-testid="alert-status">
              {alert.status}
            </span>
            <span className="badge" data-testid="alert-severity">
              {alert.severity}
            </span>
            {alert.acknowledgedAt && <span className="badge">acknowledged</span>}
            {snoozed && (
              <span className="badge badge-offline" data-testid="alert-snoozed">
                snoozed{" "}
                {alert.snoozedUntilResolved ? (
                  "until it resolves"
                ) : alert.snoozedUntil ? (
                  <>
                    until <LocalTime value={alert.snoozedUntil} />
                  </>
                ) : null}
              </span>
            )}
          </p>
        </div>
        <Link className="btn" href={`/dashboard/devices/${alert.deviceId}?alert=${alert.id}`}>
          Chart around it
        </Link>
      </div>
      <section className="card stack" aria-labelledby="actions-title">
        <h2 id="actions-title">What to do</h2>
        <p className="small muted">
          {describeRule({ ...alert, locale: prefs.locale })}: fired at{" "}
          {formatValue(alert.value, prefs.locale)}
          {alert.resolvedValue !== null && `, resolved at ${formatValue(alert.resolvedValue, prefs.locale)}`}.
          Acknowledging says you are on it (a critical alert then does not escalate); snoozing holds its
          notices (it is still evaluated and shown here).
        </p>
        {alert.status === "firing" ? (
          <AlertActions
            full
            alert={{
              id: alert.id,
              status: alert.status,
              acknowledged: alert.acknowledgedAt !== null,
              snoozed,
            }}
          />
        ) : (
          <p className="small">It has resolved: there is nothing to do.</p>
        )}
      </section>
      <section className="card stack" aria-labelledby="timeline-title">
        <h2 id="timeline-title">Timeline</h2>
        <ol className="stack" style={{ paddingLeft: "1.2em" }} data-testid="timeline">
          {timeline.map((entry) => (
            <li key={entry.id} data-testid="timeline-entry" data-kind={entry.kind}>
              <div className="row">
                <strong>{KIND_WORDS[entry.kind]}</strong>
                <span className="small">
                  <LocalTime value={entry.at} />
                </span>
                {entry.value !== null && (
                  <span className="small">{formatValue(entry.value, prefs.locale)}</span>
                )}
                {entry.actorName && <span className="small">by {entry.actorName}</span>}
                {entry.kind === "snoozed" && (
                  <span className="small">
                    {entry.until ? (
                      <>
                        until <LocalTime value={entry.until} />
                      </>
                    ) : (
                      "until it resolves"
                    )}
                  </span>
                )}
                <NoticeWords entry={entry} />
              </div>
              {entry.note && <p className="small">“{entry.note}”</p>}
              {entry.deliveries.length > 0 && (
                <table className="small" aria-label={`Deliveries of ${KIND_WORDS[entry.kind].toLowerCase()}`}>
                  <thead>
                    <tr>
                      <th>Channel</th>
                      <th>Status</th>
                      <th>Attempts</th>
                      <th>Last error</th>
                    </tr>
                  </thead>
                  <tbody>
                    {entry.deliveries.map((d, i) => (
                      <tr key={d.channelId ?? i} data-testid="delivery" data-status={d.status}>
                        <td data-label="Channel">{d.channelName ?? "(removed channel)"}</td>
                        <td data-label="Status">{DELIVERY_WORDS[d.status]}</td>
                        <td data-label="Attempts">{d.attempts}</td>
                        <td data-label="Last error">{d.lastError ?? "—"}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </li>
          ))}
        </ol>
      </section>
    </div>
  );
}
