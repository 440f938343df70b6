import { describe, expect, it } from "vitest";
import {
  type AlertHoldFacts,
  escalationDue,
  type Hold,
  noticeDecision,
  noticeHold,
  routeChannels,
} from "./notices";

const at = (iso: string) => new Date(iso);
const NOW = at("2026-03-28T12:00:00Z");
const firing: AlertHoldFacts = {
  status: "firing",
  snoozedUntil: null,
  snoozedUntilResolved: false,
  windows: [],
};
const NOT_HELD: Hold = { held: false };

describe("noticeHold", () => {
  it("holds nothing without a snooze or a window", () => {
    expect(noticeHold(firing, NOW)).toEqual({ held: false });
  });

  it("holds a snoozed alert until the snooze ends, then not", () => {
    const snoozed = { ...firing, snoozedUntil: at("2026-03-28T13:00:00Z") };
    expect(noticeHold(snoozed, NOW)).toEqual({
      held: true,
      reason: "snoozed",
      until: at("2026-03-28T13:00:00Z"),
    });
    expect(noticeHold(snoozed, at("2026-03-28T13:00:00Z"))).toEqual({ held: false });
  });

  it("holds an alert snoozed until it resolves while it fires, not once resolved", () => {
    const snoozed = { ...firing, snoozedUntilResolved: true };
    expect(noticeHold(snoozed, NOW)).toEqual({
      held: true,
      reason: "snoozed until it resolves",
      until: null,
    });
    expect(noticeHold({ ...snoozed, status: "resolved" }, NOW)).toEqual({ held: false });
  });

  it("holds an alert inside a maintenance window until the window ends, named", () => {
    const windows = [
      {
        name: "Pump repair",
        schedule: {
          kind: "once" as const,
          startsAt: at("2026-03-28T11:00:00Z"),
          endsAt: at("2026-03-28T14:00:00Z"),
        },
      },
    ];
    expect(noticeHold({ ...firing, windows }, NOW)).toEqual({
      held: true,
      reason: "maintenance: Pump repair",
      until: at("2026-03-28T14:00:00Z"),
    });
    expect(noticeHold({ ...firing, windows }, at("2026-03-28T14:00:00Z"))).toEqual({ held: false });
    // A window holds a resolved alert's notice too: transitions inside it are not notified.
    expect(noticeHold({ ...firing, status: "resolved", windows }, NOW).held).toBe(true);
  });

  it("a snooze and a window together: the snooze first, then the window once the snooze ends", () => {
    const windows = [
      {
        name: "Pump repair",
        schedule: {
          kind: "once" as const,
          startsAt: at("2026-03-28T11:00:00Z"),
          endsAt: at("2026-03-28T14:00:00Z"),
        },
      },
    ];
    const both = { ...firing, snoozedUntil: at("2026-03-28T12:30:00Z"), windows };
    expect(noticeHold(both, NOW)).toEqual({
      held: true,
      reason: "snoozed",
      until: at("2026-03-28T12:30:00Z"),
    });
    expect(noticeHold(both, at("2026-03-28T12:30:00Z"))).toEqual({
      held: true,
      reason: "maintenance: Pump repair",
      until: at("2026-03-28T14:00:00Z"),
    });
    // Until it resolves, inside a window: the snooze holds while firing; the window holds the resolution.
    const untilResolved = { ...firing, snoozedUntilResolved: true, windows };
    expect(noticeHold(untilResolved, NOW)).toEqual({
      held: true,
      reason: "snoozed until it resolves",
      until: null,
    });
    expect(noticeHold({ ...untilResolved, status: "resolved" }, NOW)).toEqual({
      held: true,
      reason: "maintenance: Pump repair",
      until: at("2026-03-28T14:00:00Z"),
    });
  });

  it("follows a weekly window on the device's zone across a DST change", () => {
    const windows = [
      {
        name: "Night shift",
        schedule: {
          kind: "weekly" as const,
          days: [6],
          startTime: "22:00",
          endTime: "06:00",
          timeZone: "Europe/Berlin",
        },
      },
    ];
    // Saturday 2026-03-28 22:00 CET is 21:00Z; the clocks go forward that night, so 06:00 CEST
    // on Sunday is 04:00Z: the window lasts 7 hours.
    expect(noticeHold({ ...firing, windows }, at("2026-03-28T20:59:00Z"))).toEqual({ held: false });
    expect(noticeHold({ ...firing, windows }, at("2026-03-28T21:00:00Z"))).toEqual({
      held: true,
      reason: "maintenance: Night shift",
      until: at("2026-03-29T04:00:00Z"),
    });
    expect(noticeHold({ ...firing, windows }, at("2026-03-29T04:00:00Z"))).toEqual({ held: false });
  });
});

describe("routeChannels", () => {
  const channels = [
    { id: "mail", severities: ["info", "warning", "critical"] as const },
    { id: "slack", severities: ["critical"] as const },
    { id: "mail", severities: ["critical"] as const },
    { id: "muted", severities: [] as const },
  ];

  it("sends a severity to every channel that takes it, each once", () => {
    expect(routeChannels("critical", channels)).toEqual(["mail", "slack"]);
    expect(routeChannels("info", channels)).toEqual(["mail"]);
  });

  it("sends nowhere when no channel takes the severity", () => {
    expect(routeChannels("warning", [{ id: "slack", severities: ["critical"] }])).toEqual([]);
  });
});

describe("noticeDecision", () => {
  const held: Hold = { held: true, reason: "snoozed", until: at("2026-03-28T13:00:00Z") };

  it("sends a fired notice unless held, and drops it once the alert resolved before it went", () => {
    expect(noticeDecision({ kind: "fired", status: "firing", firedNotice: null, hold: NOT_HELD })).toBe(
      "send",
    );
    expect(noticeDecision({ kind: "fired", status: "firing", firedNotice: null, hold: held })).toBe("hold");
    expect(noticeDecision({ kind: "fired", status: "resolved", firedNotice: null, hold: NOT_HELD })).toBe(
      "drop",
    );
  });

  it("sends a resolved notice only after a sent fired notice, after any hold", () => {
    expect(
      noticeDecision({ kind: "resolved", status: "resolved", firedNotice: "sent", hold: NOT_HELD }),
    ).toBe("send");
    expect(noticeDecision({ kind: "resolved", status: "resolved", firedNotice: "sent", hold: held })).toBe(
      "hold",
    );
    for (const firedNotice of ["held", "dropped", "none", null] as const) {
      expect(noticeDecision({ kind: "resolved", status: "resolved", firedNotice, hold: NOT_HELD })).toBe(
        "drop",
      );
    }
  });
});

describe("escalationDue", () => {
  const due = {
    severity: "critical" as const,
    status: "firing" as const,
    acknowledgedAt: null,
    escalatedAt: null,
    firedNotice: "sent" as const,
    firedNoticeAt: at("2026-03-28T11:45:00Z"),
    hold: NOT_HELD,
    afterMinutes: 15,
    hasEscalationChannel: true,
    now: NOW,
  };

  it("escalates a critical alert nobody acknowledged within the minutes after its notice", () => {
    expect(escalationDue(due)).toBe(true);
    expect(escalationDue({ ...due, now: at("2026-03-28T11:59:59Z") })).toBe(false);
  });

  it("never escalates what is not critical, resolved, acknowledged, already escalated or unsent", () => {
    expect(escalationDue({ ...due, severity: "warning" })).toBe(false);
    expect(escalationDue({ ...due, status: "resolved" })).toBe(false);
    expect(escalationDue({ ...due, acknowledgedAt: at("2026-03-28T11:50:00Z") })).toBe(false);
    expect(escalationDue({ ...due, escalatedAt: at("2026-03-28T11:59:00Z") })).toBe(false);
    expect(escalationDue({ ...due, firedNotice: "held" })).toBe(false);
    expect(escalationDue({ ...due, hasEscalationChannel: false })).toBe(false);
  });

  it("never escalates a snoozed or in-window alert", () => {
    expect(escalationDue({ ...due, hold: { held: true, reason: "snoozed", until: null } })).toBe(false);
    expect(
      escalationDue({ ...due, hold: { held: true, reason: "maintenance: Pump repair", until: NOW } }),
    ).toBe(false);
  });
});
