import { listAlertsPage } from "@pulseboard/schema/queries/alerts";
import { listDevices } from "@pulseboard/schema/queries/devices";
import { latestValues } from "@pulseboard/schema/queries/latest";
import { listWorkoutsPage } from "@pulseboard/schema/queries/workouts";
import type { Metadata } from "next";
import Link from "next/link";
import { LiveRefresh } from "@/components/live-refresh";
import { LocalTime } from "@/components/local-time";
import { db } from "@/lib/db";
import { describeRule, formatValue, timeAgo } from "@/lib/format";
import { requestPrefs } from "@/lib/prefs";
import { displayName, requireSession } from "@/lib/session";

export const metadata: Metadata = { title: "Overview" };

export default async function OverviewPage() {
  const session = await requireSession();
  const ownerId = session.user.id;
  const [devices, firing, latest, workouts] = await Promise.all([
    listDevices(db, ownerId),
    listAlertsPage(db, ownerId, { status: "firing", limit: 20 }),
    latestValues(db, ownerId),
    listWorkoutsPage(db, ownerId, { limit: 5 }),
  ]);
  const { locale } = await requestPrefs(ownerId);
  const online = devices.filter((d) => d.status === "online").length;
  const names = new Map(devices.map((d) => [d.id, d.name]));

  return (
    <div className="stack">
      <LiveRefresh readingsEveryMs={5000} />
      <div className="page-head">
        <div>
          <h1>Overview</h1>
          <p className="muted small">Signed in as {displayName(session.user)}</p>
        </div>
        <Link className="btn" href="/dashboard/devices">
          Manage devices
        </Link>
      </div>

      <div className="grid">
        <section className="card" aria-label="Devices online">
          <h3 className="muted">Devices online</h3>
          <div className="stat" data-testid="devices-online">
            {online} <span className="muted small">of {devices.length}</span>
          </div>
        </section>
        <section className="card" aria-label="Devices offline">
          <h3 className="muted">Offline</h3>
          <div className="stat">{devices.length - online}</div>
        </section>
      </div>

      <section className="card" aria-labelledby="firing-heading">
        <h2 id="firing-heading">
          Firing alerts{" "}
          <span className={`count${firing.rows.length ? " count-bad" : ""}`} data-testid="firing-count">
            {firing.rows.length}
            {firing.next ? "+" : ""}
          </span>
        </h2>
        {firing.rows.length === 0 ? (
          <p className="muted">Nothing is firing.</p>
        ) : (
          <ul className="stack" style={{ listStyle: "none", padding: 0, margin: 0, gap: "0.5rem" }}>
            {firing.rows.map((a) => (
              <li key={a.id} className="row">
                <span className="badge badge-firing">firing</span>
                <Link href={`/dashboard/devices/${a.deviceId}?alert=${a.id}`}>{a.deviceName}</Link>
                <span>{describeRule({ ...a, locale })}</span>
                <span className="muted small">
                  value {formatValue(a.value, locale)} · since <LocalTime value={a.triggeredAt} />
                </span>
              </li>
            ))}
          </ul>
        )}
        {firing.next && (
          <p className="small">
            <Link href="/dashboard/alerts?status=firing">See every firing alert</Link>
          </p>
        )}
      </section>

      <section className="card">
        <h2>Latest values</h2>
        {latest.length === 0 ? (
          <p className="muted">
            No readings yet. <Link href="/dashboard/devices">Provision a device</Link> and publish to it.
          </p>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>Device</th>
                  <th>Metric</th>
                  <th>Value</th>
                  <th>When</th>
                </tr>
              </thead>
              <tbody>
                {latest.map((v) => (
                  <tr key={`${v.deviceId}/${v.metric}`}>
                    <td data-label="Device">
                      <Link href={`/dashboard/devices/${v.deviceId}`}>{names.get(v.deviceId)}</Link>
                    </td>
                    <td data-label="Metric" className="mono">
                      {v.metric}
                    </td>
                    <td data-label="Value">{formatValue(v.value, locale)}</td>
                    <td data-label="When" className="muted small">
                      {timeAgo(v.recordedAt)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section className="card">
        <h2>Recent workouts</h2>
        {workouts.rows.length === 0 ? (
          <p className="muted">No workouts logged yet.</p>
        ) : (
          <ul style={{ margin: 0, paddingLeft: "1.1rem" }}>
            {workouts.rows.map((w) => (
              <li key={w.id}>
                <LocalTime value={w.performedAt} /> · {w.planName ?? "Free session"} · {w.sets} sets
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
