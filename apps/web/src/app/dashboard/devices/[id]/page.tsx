import { getAlert, listAlerts } from "@pulseboard/schema/queries/alerts";
import { getDevice } from "@pulseboard/schema/queries/devices";
import { latestValues } from "@pulseboard/schema/queries/latest";
import { deviceRejections } from "@pulseboard/schema/queries/rejections";
import { listRules } from "@pulseboard/schema/queries/rules";
import { AGGREGATES, COMPARATORS } from "@pulseboard/schema/telemetry";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { DeleteButton } from "@/components/delete-button";
import { DeviceCharts, type RangeSpec } from "@/components/device-charts";
import { LiveRefresh } from "@/components/live-refresh";
import { LocalTime } from "@/components/local-time";
import { RejectionsPanel } from "@/components/rejections-panel";
import { RulesPanel } from "@/components/rules-panel";
import { db } from "@/lib/db";
import { describeRule, formatValue, timeAgo } from "@/lib/format";
import { first, isUuid } from "@/lib/params";
import { DEFAULT_RANGE, rangePreset } from "@/lib/ranges";
import { requireSession } from "@/lib/session";
import { thresholdsByMetric } from "@/lib/thresholds";

export const metadata: Metadata = { title: "Device" };

export default async function DevicePage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const session = await requireSession();
  const ownerId = session.user.id;
  const { id } = await params;
  if (!isUuid(id)) notFound();
  const device = await getDevice(db, ownerId, id);
  // Someone else's device looks exactly like one that does not exist.
  if (!device) notFound();

  const query = await searchParams;
  const [latest, rules, history, focus, rejections] = await Promise.all([
    latestValues(db, ownerId, id),
    listRules(db, ownerId, id),
    listAlerts(db, ownerId, { deviceId: id, limit: 50 }),
    isUuid(first(query.alert)) ? getAlert(db, ownerId, first(query.alert) as string) : undefined,
    deviceRejections(db, ownerId, id),
  ]);

  let range: RangeSpec = { preset: rangePreset(first(query.range) ?? DEFAULT_RANGE).key };
  const markers: number[] = [];
  if (focus && focus.deviceId === id) {
    // Around the moment it fired: half an hour either side (or until it resolved).
    const fired = focus.triggeredAt.getTime();
    const end = Math.max(fired, focus.resolvedAt?.getTime() ?? fired) + 30 * 60_000;
    range = { from: fired - 30 * 60_000, to: Math.min(end, Date.now()) };
    markers.push(fired);
    if (focus.resolvedAt) markers.push(focus.resolvedAt.getTime());
  } else {
    const from = Date.parse(first(query.from) ?? "");
    const to = Date.parse(first(query.to) ?? "");
    if (Number.isFinite(from) && Number.isFinite(to) && from < to) range = { from, to };
  }

  const firingRules = new Set(history.filter((a) => a.status === "firing").map((a) => a.ruleId));
  const thresholds = thresholdsByMetric(rules);
  const metrics = latest.map((l) => l.metric);

  return (
    <div className="stack">
      <LiveRefresh deviceId={id} readingsEveryMs={15_000} />
      <div className="page-head">
        <div>
          <p className="small">
            <Link href="/dashboard/devices">← Devices</Link>
          </p>
          <h1 data-testid="device-name">{device.name}</h1>
          <p className="row small muted">
            <span className={`badge badge-${device.status}`}>{device.status}</span>
            <span>last seen {timeAgo(device.lastSeenAt)}</span>
            {latest.map((l) => (
              <span key={l.metric}>
                <span className="mono">{l.metric}</span> {formatValue(l.value)}
              </span>
            ))}
          </p>
        </div>
        <DeleteButton
          url={`/api/devices/${id}`}
          confirmText={`Delete ${device.name}? Its readings, rules and alerts are deleted with it.`}
          label="Delete device"
          redirectTo="/dashboard/devices"
        />
      </div>

      {focus && (
        <p className="notice">
          Showing the alert “{describeRule(focus)}” that fired at <LocalTime value={focus.triggeredAt} /> (red
          lines).
        </p>
      )}

      <DeviceCharts
        deviceId={id}
        metrics={metrics}
        initialRange={range}
        thresholds={thresholds}
        markers={markers}
      />

      <RulesPanel
        deviceId={id}
        comparators={COMPARATORS}
        aggregates={AGGREGATES}
        metrics={metrics}
        rules={rules.map((r) => ({ ...r, firing: firingRules.has(r.id) }))}
      />

      <RejectionsPanel rejections={rejections} />

      <section className="card" aria-labelledby="history-title">
        <h2 id="history-title">Alert history</h2>
        {history.length === 0 ? (
          <p className="muted">No alerts yet.</p>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>Status</th>
                  <th>Rule</th>
                  <th>Fired</th>
                  <th>Resolved</th>
                </tr>
              </thead>
              <tbody>
                {history.map((a) => (
                  <tr key={a.id} data-testid="alert-row" data-status={a.status}>
                    <td>
                      <span className={`badge badge-${a.status}`}>{a.status}</span>
                    </td>
                    <td>
                      <Link href={`/dashboard/devices/${id}?alert=${a.id}`}>{describeRule(a)}</Link>
                    </td>
                    <td className="small">
                      <LocalTime value={a.triggeredAt} /> · {formatValue(a.value)}
                    </td>
                    <td className="small">
                      {a.resolvedAt ? (
                        <>
                          <LocalTime value={a.resolvedAt} /> · {formatValue(a.resolvedValue)}
                        </>
                      ) : (
                        "—"
                      )}
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
