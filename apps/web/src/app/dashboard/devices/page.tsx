import { pageCursor } from "@pulseboard/schema/keyset";
import { listDevicesPage } from "@pulseboard/schema/queries/devices";
import type { Metadata } from "next";
import Link from "next/link";
import { LiveRefresh } from "@/components/live-refresh";
import { Pager } from "@/components/pager";
import { ProvisionDialog } from "@/components/provision-dialog";
import { connectionInfo } from "@/lib/connection";
import { db } from "@/lib/db";
import { timeAgo } from "@/lib/format";
import { first } from "@/lib/params";
import { requireSession } from "@/lib/session";

export const metadata: Metadata = { title: "Devices" };

export default async function DevicesPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const session = await requireSession();
  const query = await searchParams;
  const tag = first(query.tag)?.trim() || undefined;
  const cursor = pageCursor(first(query.cursor));
  const page = await listDevicesPage(db, session.user.id, { tag, cursor, limit: 50 });
  const devices = page.rows;
  return (
    <div className="stack">
      <LiveRefresh readingsEveryMs={10_000} />
      <div className="page-head">
        <div>
          <h1>Devices</h1>
          <p className="muted small">Each device publishes with its own key over MQTT or HTTP.</p>
        </div>
        <ProvisionDialog connection={connectionInfo()} />
      </div>
      {tag && (
        <p className="row small" data-testid="tag-filter">
          Devices tagged <span className="tag">{tag}</span> <Link href="/dashboard/devices">show all</Link>
        </p>
      )}
      <section className="card">
        {devices.length === 0 ? (
          <p className="empty">
            {tag ? "No device carries this tag." : "No devices yet. Add one to get its key."}
          </p>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Status</th>
                  <th>Last seen</th>
                  <th>Tags</th>
                  <th className="hide-narrow">Added</th>
                </tr>
              </thead>
              <tbody>
                {devices.map((d) => (
                  <tr key={d.id} data-testid="device-row">
                    <td data-label="Name">
                      <Link href={`/dashboard/devices/${d.id}`}>{d.name}</Link>
                    </td>
                    <td data-label="Status">
                      <span className={`badge badge-${d.status}`}>{d.status}</span>
                    </td>
                    <td data-label="Last seen" className="small">
                      {timeAgo(d.lastSeenAt)}
                    </td>
                    <td data-label="Tags" className="small">
                      {d.tags.map((t) => (
                        <Link
                          key={t}
                          className="tag"
                          href={`/dashboard/devices?tag=${encodeURIComponent(t)}`}
                        >
                          {t}
                        </Link>
                      ))}
                    </td>
                    <td data-label="Added" className="small muted hide-narrow">
                      {timeAgo(d.createdAt)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <Pager path="/dashboard/devices" params={{ tag }} next={page.next} atStart={!cursor} noun="devices" />
      </section>
    </div>
  );
}
