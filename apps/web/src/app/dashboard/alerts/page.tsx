import { pageCursor } from "@pulseboard/schema/keyset";
import { listAlertsPage } from "@pulseboard/schema/queries/alerts";
import { listDevices } from "@pulseboard/schema/queries/devices";
import { nextDay, startOfLocalDay } from "@pulseboard/schema/time-zone";
import type { Metadata } from "next";
import Link from "next/link";
import { AlertActions } from "@/components/alert-actions";
import { LiveRefresh } from "@/components/live-refresh";
import { LocalTime } from "@/components/local-time";
import { Pager } from "@/components/pager";
import { db } from "@/lib/db";
import { describeRule, formatValue } from "@/lib/format";
import { first, isUuid } from "@/lib/params";
import { requestPrefs } from "@/lib/prefs";
import { requireSession } from "@/lib/session";

/** Whether an alert's notices are snoozed now. */
const snoozedNow = (a: { status: string; snoozedUntil: Date | null; snoozedUntilResolved: boolean }) =>
  a.status === "firing" &&
  (a.snoozedUntilResolved || (a.snoozedUntil !== null && a.snoozedUntil.getTime() > Date.now()));

export const metadata: Metadata = { title: "Alerts" };

export default async function AlertsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const session = await requireSession();
  const query = await searchParams;
  const status = first(query.status);
  const statusFilter = status === "firing" || status === "resolved" ? status : undefined;
  const device = first(query.device);
  const deviceFilter = isUuid(device) ? device : undefined;
  // Days, as the date inputs give them, in the user's time zone: "to" includes its whole day.
  // A day that exists, in years PostgreSQL takes as written (a date input sends YYYY-MM-DD).
  const day = (value: string | undefined) =>
    value &&
    /^[1-9]\d{3}-\d{2}-\d{2}$/.test(value) &&
    new Date(`${value}T00:00:00Z`).toISOString().startsWith(value)
      ? value
      : undefined;
  const fromDay = day(first(query.from));
  const toDay = day(first(query.to));
  const cursor = pageCursor(first(query.cursor));
  const prefs = await requestPrefs(session.user.id);
  // Both owner-scoped: another owner's device id simply matches no alert.
  const [devices, page] = await Promise.all([
    listDevices(db, session.user.id),
    listAlertsPage(db, session.user.id, {
      status: statusFilter,
      deviceId: deviceFilter,
      from: fromDay ? startOfLocalDay(fromDay, prefs.timeZone) : undefined,
      to: toDay ? startOfLocalDay(nextDay(toDay), prefs.timeZone) : undefined,
      cursor,
      limit: 50,
    }),
  ]);
  const alerts = page.rows;
  const filters = { status: statusFilter, device: deviceFilter, from: fromDay, to: toDay };

  return (
    <div className="stack">
      <LiveRefresh />
      <div className="page-head">
        <div>
          <h1>Alerts</h1>
          <p className="muted small">Updates live as rules fire and resolve.</p>
        </div>
        <form className="form-inline" method="get" aria-label="Filter alerts">
          <label className="field">
            <span>Status</span>
            <select name="status" defaultValue={statusFilter ?? ""}>
              <option value="">all</option>
              <option value="firing">firing</option>
              <option value="resolved">resolved</option>
            </select>
          </label>
          <label className="field">
            <span>Device</span>
            <select name="device" defaultValue={deviceFilter ?? ""}>
              <option value="">all devices</option>
              {devices.map((d) => (
                <option key={d.id} value={d.id}>
                  {d.name}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>From</span>
            <input type="date" name="from" defaultValue={fromDay ?? ""} />
          </label>
          <label className="field">
            <span>To</span>
            <input type="date" name="to" defaultValue={toDay ?? ""} />
          </label>
          <button className="btn" type="submit">
            Filter
          </button>
        </form>
      </div>
      <section className="card">
        {alerts.length === 0 ? (
          <p className="empty">
            No alerts{statusFilter ? ` ${statusFilter}` : ""}
            {fromDay || toDay ? " in these days" : ""}.
          </p>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>Status</th>
                  <th>Device</th>
                  <th>Rule</th>
                  <th>Fired</th>
                  <th>Resolved</th>
                  <th>Actions</th>
                </tr>
              </thead>
              <tbody>
                {alerts.map((a) => (
                  <tr key={a.id} data-testid="alert-row" data-status={a.status}>
                    <td data-label="Status">
                      <span className={`badge badge-${a.status}`}>{a.status}</span>{" "}
                      <span className="badge">{a.severity}</span>
                      {a.acknowledgedAt && <span className="badge"> acknowledged</span>}
                      {snoozedNow(a) && <span className="badge badge-offline"> snoozed</span>}
                    </td>
                    <td data-label="Device">{a.deviceName}</td>
                    <td data-label="Rule">
                      <Link
                        href={`/dashboard/devices/${a.deviceId}?alert=${a.id}`}
                        title="Open the chart around this alert"
                      >
                        {describeRule({ ...a, locale: prefs.locale })}
                      </Link>
                    </td>
                    <td data-label="Fired" className="small">
                      <LocalTime value={a.triggeredAt} /> · {formatValue(a.value, prefs.locale)}
                    </td>
                    <td data-label="Resolved" className="small">
                      {a.resolvedAt ? <LocalTime value={a.resolvedAt} /> : "—"}
                    </td>
                    <td data-label="Actions">
                      <div className="row">
                        <Link
                          href={`/dashboard/alerts/${a.id}`}
                          aria-label={`Details of the alert on ${a.deviceName}`}
                        >
                          Details
                        </Link>
                        <AlertActions
                          alert={{
                            id: a.id,
                            status: a.status,
                            acknowledged: a.acknowledgedAt !== null,
                            snoozed: snoozedNow(a),
                          }}
                        />
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <Pager path="/dashboard/alerts" params={filters} next={page.next} atStart={!cursor} noun="alerts" />
      </section>
    </div>
  );
}
