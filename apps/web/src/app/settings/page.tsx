import { DEFAULT_MAX_HEART_RATE } from "@pulseboard/schema/fitness-math";
import { accountFootprint } from "@pulseboard/schema/queries/account";
import { getPreferences } from "@pulseboard/schema/queries/fitness-preferences";
import { getNotificationSettings } from "@pulseboard/schema/queries/notifications";
import type { Metadata } from "next";
import { ChangePasswordForm, DeleteAccount, TimeZoneForm } from "@/components/account-settings";
import { ClerkAccountPanel, usesClerk } from "@/components/identity";
import { type ChannelRow, NotificationSettings } from "@/components/notification-settings";
import { PreferencesForm } from "@/components/settings-forms";
import { db } from "@/lib/db";
import { mailer } from "@/lib/mail";
import { channelViews } from "@/lib/notification-channels";
import { requestPrefs } from "@/lib/prefs";
import { displayName, requireSession } from "@/lib/session";

export const metadata: Metadata = { title: "Settings" };

export default async function SettingsPage() {
  const session = await requireSession();
  const [settings, channels, prefs, footprint, display] = await Promise.all([
    getNotificationSettings(db, session.user.id),
    channelViews(db, session.user.id),
    getPreferences(db, session.user.id),
    accountFootprint(db, session.user.id),
    requestPrefs(session.user.id),
  ]);
  const zones = [...new Set([display.timeZone, "UTC", ...Intl.supportedValuesOf("timeZone")])].sort();
  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <h1>Settings</h1>
          <p className="muted small">{displayName(session.user)}</p>
        </div>
      </div>
      <section className="card stack" aria-labelledby="display-title">
        <h2 id="display-title">Time zone</h2>
        <p className="small muted">
          Days, weeks and months (the training-day heat map, weekly volume, a month of workouts), chart axes
          and every date are in this zone. It was taken from your browser on your first visit.
        </p>
        <TimeZoneForm zones={zones} />
      </section>
      <ClerkAccountPanel />
      {!usesClerk() && (
        <section className="card stack" aria-labelledby="password-title">
          <h2 id="password-title">Password</h2>
          <ChangePasswordForm />
        </section>
      )}
      <section className="card stack" aria-labelledby="data-title">
        <h2 id="data-title">Your data</h2>
        <p className="small" data-testid="account-deletion-notice">
          Your user id: <code>{session.user.id}</code>. If your account is deleted, everything it owns goes
          with it: devices, readings, rules and alerts, workouts and plans, and in the community your threads
          (with the replies others wrote in them), your replies and your votes.
          {usesClerk() && " Delete it from the account panel above (Clerk): this app then deletes its data."}
        </p>
        {!usesClerk() && <DeleteAccount footprint={footprint} />}
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
      <section className="card stack" aria-labelledby="notifications-title">
        <h2 id="notifications-title">Notifications</h2>
        <p className="small muted">
          Where fired and resolved alerts are sent. Each channel receives the severities ticked; your account
          e-mail receives them all until you add another channel. Webhooks are signed in the{" "}
          <a href="https://www.standardwebhooks.com/">Standard Webhooks</a> format (<code>webhook-id</code>,{" "}
          <code>webhook-timestamp</code>, <code>webhook-signature</code>); the older{" "}
          <code>x-pulseboard-signature</code> headers are still sent for this release (deprecated).
        </p>
        <NotificationSettings
          channels={JSON.parse(JSON.stringify(channels)) as ChannelRow[]}
          settings={settings}
          canMail={mailer !== undefined}
          canVerify={!usesClerk()}
        />
      </section>
    </div>
  );
}
