import { DEFAULT_MAX_HEART_RATE } from "@pulseboard/schema/fitness-math";
import { getPreferences } from "@pulseboard/schema/queries/fitness-preferences";
import { getNotificationSettings } from "@pulseboard/schema/queries/notifications";
import type { Metadata } from "next";
import { ClerkAccountPanel } from "@/components/identity";
import { PreferencesForm, SecretPanel, SendTestButton, WebhookForm } from "@/components/settings-forms";
import { db } from "@/lib/db";
import { displayName, requireSession } from "@/lib/session";

export const metadata: Metadata = { title: "Settings" };

export default async function SettingsPage() {
  const session = await requireSession();
  const [settings, prefs] = await Promise.all([
    getNotificationSettings(db, session.user.id),
    getPreferences(db, session.user.id),
  ]);
  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <h1>Settings</h1>
          <p className="muted small">{displayName(session.user)}</p>
        </div>
      </div>
      <ClerkAccountPanel />
      <section className="card stack" aria-labelledby="data-title">
        <h2 id="data-title">Your data</h2>
        <p className="small" data-testid="account-deletion-notice">
          Your user id: <code>{session.user.id}</code>. If your account is deleted, everything it owns goes
          with it: devices, readings, rules and alerts, workouts and plans, and in the community your threads
          (with the replies others wrote in them), your replies and your votes.
        </p>
      </section>
      <section className="card stack" aria-labelledby="fitness-title">
        <h2 id="fitness-title">Workouts</h2>
        <PreferencesForm values={prefs} />
        <p className="small">
          Heart-rate zones use the max heart rate above, else 220 − age, else {DEFAULT_MAX_HEART_RATE} bpm.{" "}
          <a href="/api/export/sets" download>
            Export all sets (CSV)
          </a>
        </p>
      </section>
      <section className="card stack" aria-labelledby="webhook-title">
        <h2 id="webhook-title">Notification webhook</h2>
        <WebhookForm url={settings?.webhookUrl ?? ""} />
        {settings && (
          <>
            <SecretPanel secret={settings.webhookSecret} />
            <p className="small muted">
              Each request carries <code>x-pulseboard-timestamp</code> and <code>x-pulseboard-signature</code>
              : <code>v1=</code> + hex HMAC-SHA256 of <code>timestamp + "." + body</code> with this secret,
              and <code>x-pulseboard-event-id</code> to deduplicate.
            </p>
            <SendTestButton />
          </>
        )}
      </section>
    </div>
  );
}
