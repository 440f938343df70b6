import { getAlert, listAlerts } from "@pulseboard/schema/queries/alerts";
import { getDevice, listDevices } from "@pulseboard/schema/queries/devices";
import { latestValues } from "@pulseboard/schema/queries/latest";
import { deviceMaintenance, listMaintenanceWindows } from "@pulseboard/schema/queries/maintenance-windows";
import { listMetricDisplay } from "@pulseboard/schema/queries/metric-display";
import { deviceRejections } from "@pulseboard/schema/queries/rejections";
import { deviceReportedMetric, listRules } from "@pulseboard/schema/queries/rules";
import { AGGREGATES, COMPARATORS, NO_DATA_POLICIES } from "@pulseboard/schema/telemetry";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { DeleteButton } from "@/components/delete-button";
import { DeviceCharts, type RangeSpec } from "@/components/device-charts";
import { DeviceSettings } from "@/components/device-settings";
import { KeyRotation } from "@/components/key-rotation";
import { LiveRefresh } from "@/components/live-refresh";
import { LocalTime } from "@/components/local-time";
import { MaintenancePanel, type MaintenanceRow } from "@/components/maintenance-panel";
import { RejectionsPanel } from "@/components/rejections-panel";
import { RulesPanel } from "@/components/rules-panel";
import { alertRange } from "@/lib/alert-range";
import { connectionInfo } from "@/lib/connection";
import { db } from "@/lib/db";
import { describeRule, formatDuration, formatValue, timeAgo } from "@/lib/format";
import { first, isUuid } from "@/lib/params";
import { requestPrefs } from "@/lib/prefs";
import { DEFAULT_RANGE, rangePreset } from "@/lib/ranges";
import { ruleState } from "@/lib/rule-state";
import { requireSession } from "@/lib/session";
import { thresholdsByMetric } from "@/lib/thresholds";
import { resolveDisplay, withUnit } from "@/lib/units";

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
  const { locale } = await requestPrefs(ownerId);
  const { id } = await params;
  if (!isUuid(id)) notFound();
  const device = await getDevice(db, ownerId, id);
  // Someone else's device looks exactly like one that does not exist.
  if (!device) notFound();

  const query = await searchParams;
  const [latest, rules, history, firing, focus, rejections, displaySettings, devices, windows, maintenance] =
    await Promise.all([
      latestValues(db, ownerId, id),
      listRules(db, ownerId, id),
      listAlerts(db, ownerId, { deviceId: id, limit: 50 }),
      // At most one per rule: every firing one, however long ago it fired.
      listAlerts(db, ownerId, { deviceId: id, status: "firing", limit: 1000 }),
      isUuid(first(query.alert)) ? getAlert(db, ownerId, first(query.alert) as string) : undefined,
      deviceRejections(db, ownerId, id),
      listMetricDisplay(db, ownerId),
      listDevices(db, ownerId),
      listMaintenanceWindows(db, ownerId, { deviceId: id }),
      deviceMaintenance(db, ownerId, id),
    ]);

  let range: RangeSpec = { preset: rangePreset(first(query.range) ?? DEFAULT_RANGE).key };
  const markers: { at: number; label: string }[] = [];
  if (focus && focus.deviceId === id) {
    range = alertRange(focus.triggeredAt.getTime(), focus.resolvedAt?.getTime() ?? null);
    markers.push({ at: focus.triggeredAt.getTime(), label: "fired" });
    if (focus.resolvedAt) markers.push({ at: focus.resolvedAt.getTime(), label: "resolved" });
  } else {
    const from = Date.parse(first(query.from) ?? "");
    const to = Date.parse(first(query.to) ?? "");
    if (Number.isFinite(from) && Number.isFinite(to) && from < to) range = { from, to };
  }

  const firingRules = new Set(firing.map((a) => a.ruleId));
  const thresholds = thresholdsByMetric(rules);
  const metrics = latest.map((l) => l.metric);
  const display = metrics.map((m) =>
    resolveDisplay(
      m,
      displaySettings.find((d) => d.metric === m),
    ),
  );
  const labelOf = (metric: string) =>
    display.find((d) => d.metric === metric) ??
    resolveDisplay(
      metric,
      displaySettings.find((d) => d.metric === metric),
    );
  const latestAt = new Map(latest.map((l) => [l.metric, l.recordedAt]));
  // Rules on metrics with no raw reading kept: reported before (only roll-ups left), or never?
  const unseen = [...new Set(rules.map((r) => r.metric).filter((m) => !latestAt.has(m)))];
  const reportedEarlier = new Set(
    (
      await Promise.all(
        unseen.map(async (m) => ((await deviceReportedMetric(db, ownerId, id, m)) ? m : null)),
      )
    ).filter((m) => m !== null),
  );

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
            <span>
              last seen {timeAgo(device.lastSeenAt)} · offline after {formatDuration(device.silenceSeconds)}
            </span>
            {latest.map((l) => (
              <span key={l.metric}>
                {labelOf(l.metric).label} {withUnit(formatValue(l.value, locale), labelOf(l.metric).unit)}
              </span>
            ))}
          </p>
          {device.tags.length > 0 && (
            <p className="row small" data-testid="device-tags">
              {device.tags.map((t) => (
                <Link key={t} className="tag" href={`/dashboard/devices?tag=${encodeURIComponent(t)}`}>
                  {t}
                </Link>
              ))}
            </p>
          )}
          {device.previousKeyExpiresAt && (
            <p className="small notice" data-testid="old-key-grace">
              The replaced key is accepted until <LocalTime value={device.previousKeyExpiresAt} />.
            </p>
          )}
        </div>
        <div className="row">
          <KeyRotation deviceId={id} deviceName={device.name} connection={connectionInfo()} />
          <DeleteButton
            url={`/api/devices/${id}`}
            confirmText={`Delete ${device.name}? Its readings, rules and alerts are deleted with it.`}
            label="Delete device"
            redirectTo="/dashboard/devices"
          />
        </div>
      </div>

      {focus && (
        <p className="notice">
          Showing the alert “{describeRule({ ...focus, locale })}” that fired at{" "}
          <LocalTime value={focus.triggeredAt} /> (red lines).
        </p>
      )}

      <DeviceCharts
        deviceId={id}
        deviceName={device.name}
        metrics={metrics}
        initialRange={range}
        thresholds={thresholds}
        markers={markers}
        display={display}
        compareDevices={devices.filter((d) => d.id !== id).map((d) => ({ id: d.id, name: d.name }))}
      />

      <MaintenancePanel
        deviceId={id}
        tags={device.tags}
        windows={JSON.parse(JSON.stringify(windows)) as MaintenanceRow[]}
        active={maintenance ? { name: maintenance.name, until: maintenance.until.toISOString() } : null}
      />

      <RulesPanel
        deviceId={id}
        options={{ comparators: COMPARATORS, aggregates: AGGREGATES, noDataPolicies: NO_DATA_POLICIES }}
        metrics={metrics}
        display={
          new Map([...new Set([...metrics, ...rules.map((r) => r.metric)])].map((m) => [m, labelOf(m)]))
        }
        rules={rules.map((r) => ({
          ...r,
          state: ruleState(r, {
            firing: firingRules.has(r.id),
            latestAt: latestAt.get(r.metric),
            reported: reportedEarlier.has(r.metric),
          }),
        }))}
      />

      <DeviceSettings device={device} metrics={metrics} display={displaySettings} />

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
                    <td data-label="Status">
                      <span className={`badge badge-${a.status}`}>{a.status}</span>
                    </td>
                    <td data-label="Rule">
                      <Link href={`/dashboard/devices/${id}?alert=${a.id}`}>
                        {describeRule({ ...a, locale })}
                      </Link>
                    </td>
                    <td data-label="Fired" className="small">
                      <LocalTime value={a.triggeredAt} /> · {formatValue(a.value, locale)}
                    </td>
                    <td data-label="Resolved" className="small">
                      {a.resolvedAt ? (
                        <>
                          <LocalTime value={a.resolvedAt} /> · {formatValue(a.resolvedValue, locale)}
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
