// What happens to an alert's notices, as pure decisions (docs/notifications.md): whether a
// snooze or a maintenance window holds them, which channels a severity routes to, whether a held
// notice goes, waits or is dropped, and when an unacknowledged critical alert escalates. The
// queries (queries/notices.ts) load the facts and apply these in the transition's transaction.
import { type MaintenanceSchedule, maintenanceAt } from "./maintenance-window";
import type { ALERT_STATUSES, NOTICE_STATES, SEVERITIES } from "./schema/telemetry";

export type Severity = (typeof SEVERITIES)[number];
export type NoticeState = (typeof NOTICE_STATES)[number];
export type NoticeKind = "fired" | "resolved" | "escalated";

export interface NamedWindow {
  name: string;
  schedule: MaintenanceSchedule;
}

export interface AlertHoldFacts {
  status: (typeof ALERT_STATUSES)[number];
  snoozedUntil: Date | null;
  snoozedUntilResolved: boolean;
  /** The maintenance windows of the alert's device: its own and its tags'. */
  windows: NamedWindow[];
}

export type Hold =
  | { held: false }
  | {
      held: true;
      /** In words for the owner's timeline: "snoozed", "maintenance: Pump repair". */
      reason: string;
      /** When it ends; null: when the alert resolves. */
      until: Date | null;
    };

/**
 * Whether the alert's notices are held at `now`: snoozed (until a time, or until it resolves:
 * a resolved alert is no longer held by that), or inside a maintenance window of its device.
 * A snooze is reported before a window; either holds.
 */
export function noticeHold(alert: AlertHoldFacts, now: Date): Hold {
  if (alert.snoozedUntilResolved && alert.status === "firing") {
    return { held: true, reason: "snoozed until it resolves", until: null };
  }
  if (alert.snoozedUntil && alert.snoozedUntil.getTime() > now.getTime()) {
    return { held: true, reason: "snoozed", until: alert.snoozedUntil };
  }
  const maintenance = maintenanceAt(alert.windows, now);
  if (maintenance) {
    return { held: true, reason: `maintenance: ${maintenance.window.name}`, until: maintenance.until };
  }
  return { held: false };
}

export interface RoutableChannel {
  id: string;
  severities: readonly Severity[];
}

/** The channels that receive a severity's fired notices, each once, in the given order. */
export function routeChannels(severity: Severity, channels: readonly RoutableChannel[]): string[] {
  return [...new Set(channels.filter((c) => c.severities.includes(severity)).map((c) => c.id))];
}

/**
 * What to do with a notice at `now`: send it, hold it (it waits for the hold to end), or drop it
 * (never sent). A fired notice waits while held and is dropped once the alert resolved before it
 * went (then its resolved notice is dropped too: a resolved notice goes only where the fired one
 * went). A resolved notice follows a sent fired notice, after any hold.
 */
export function noticeDecision({
  kind,
  status,
  firedNotice,
  hold,
}: {
  kind: NoticeKind;
  status: (typeof ALERT_STATUSES)[number];
  /** The fired event's notice state (for `resolved`). */
  firedNotice: NoticeState | null;
  hold: Hold;
}): "send" | "hold" | "drop" {
  switch (kind) {
    case "fired":
    case "escalated":
      if (status === "resolved") return "drop";
      return hold.held ? "hold" : "send";
    case "resolved":
      if (firedNotice !== "sent") return "drop";
      return hold.held ? "hold" : "send";
  }
}

/**
 * Whether an alert escalates at `now`: critical, still firing, not acknowledged, not escalated
 * before, its fired notice sent at least `afterMinutes` ago, an escalation channel set, and not
 * held (a snoozed or in-window alert never escalates).
 */
export function escalationDue({
  severity,
  status,
  acknowledgedAt,
  escalatedAt,
  firedNotice,
  firedNoticeAt,
  hold,
  afterMinutes,
  hasEscalationChannel,
  now,
}: {
  severity: Severity;
  status: (typeof ALERT_STATUSES)[number];
  acknowledgedAt: Date | null;
  escalatedAt: Date | null;
  firedNotice: NoticeState | null;
  firedNoticeAt: Date | null;
  hold: Hold;
  afterMinutes: number;
  hasEscalationChannel: boolean;
  now: Date;
}): boolean {
  if (severity !== "critical" || status !== "firing") return false;
  if (acknowledgedAt || escalatedAt || !hasEscalationChannel) return false;
  if (firedNotice !== "sent" || !firedNoticeAt) return false;
  if (hold.held) return false;
  return now.getTime() - firedNoticeAt.getTime() >= afterMinutes * 60_000;
}
