import { listAlerts } from "@pulseboard/schema/queries/alerts";
import { listDevices } from "@pulseboard/schema/queries/devices";
import type { Metadata } from "next";
import Link from "next/link";
import { LiveRefresh } from "@/components/live-refresh";
import { LocalTime } from "@/components/local-time";
import { db } from "@/lib/db";
import { describeRule, formatValue } from "@/lib/format";
import { first, isUuid } from "@/lib/params";
import { requireSession } from "@/lib/session";

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
  // Both owner-scoped: another owner's device id simply matches no alert.
  const [devices, alerts] = await Promise.all([
    listDevices(db, session.user.id),
    listAlerts(db, session.user.id, { status: statusFilter, deviceId: deviceFilter, limit: 200 }),
  ]);

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
          <button className="btn" type="submit">
            Filter
          </button>
        </form>
      </div>
      <section className="card">
        {alerts.length === 0 ? (
          <p className="empty">No alerts{statusFilter ? ` ${statusFilter}` : ""}.</p>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>Status</th>
                  <th>Device</th>
                  <th>Rule</th>
                  <th>Fired</th>
                  <th className="hide-narrow">Resolved</th>
                </tr>
              </thead>
              <tbody>
                {alerts.map((a) => (
                  <tr key={a.id} data-testid="alert-row" data-status={a.status}>
                    <td>
                      <span className={`badge badge-${a.status}`}>{a.status}</span>
                    </td>
                    <td>{a.deviceName}</td>
                    <td>
                      <Link
                        href={`/dashboard/devices/${a.deviceId}?alert=${a.id}`}
                        title="Open the chart around this alert"
                      >
                        {describeRule(a)}
                      </Link>
                    </td>
                    <td className="small">
                      <LocalTime value={a.triggeredAt} /> · {formatValue(a.value)}
                    </td>
                    <td className="small hide-narrow">
                      {a.resolvedAt ? <LocalTime value={a.resolvedAt} /> : "—"}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
