import type { EventForDelivery } from "@pulseboard/schema/queries/alert-deliveries";
import { describe, expect, it } from "vitest";
import {
  alertUrl,
  conditionWords,
  emailMessage,
  headline,
  slackMessage,
  webhookPayload,
} from "./notice-text";

const APP = "https://pulseboard.example.com";
const eventId = "5b0c2f4e-0000-4000-8000-000000000001";
const event: EventForDelivery = {
  id: eventId,
  deliveryId: "de110000-0000-4000-8000-000000000005",
  kind: "fired",
  value: 31.2,
  at: new Date("2026-12-01T10:15:00.000Z"),
  attempts: 1,
  channel: {
    id: "c4a00000-0000-4000-8000-000000000009",
    kind: "webhook",
    name: "Ops",
    url: "https://hooks.example.com/pulseboard",
    address: null,
    verified: true,
    secrets: ["whsec_c2VjcmV0"],
    legacySecret: null,
  },
  alert: {
    id: "9d1e0000-0000-4000-8000-000000000002",
    status: "firing",
    severity: "critical",
    triggeredAt: new Date("2026-12-01T10:15:00.000Z"),
    resolvedAt: null,
    windowStart: new Date("2026-12-01T10:10:00.000Z"),
    windowEnd: new Date("2026-12-01T10:15:00.000Z"),
  },
  rule: {
    id: "adab0000-0000-4000-8000-000000000003",
    name: null,
    metric: "temperature",
    comparator: "gt",
    threshold: 30,
    aggregate: "avg",
    windowSeconds: 300,
  },
  device: { id: "b4750000-0000-4000-8000-000000000004", name: "Greenhouse <east> & co" },
};

describe("the webhook payload", () => {
  it("is docs/notifications.md's body, field for field and in its order", () => {
    const payload = webhookPayload(event, APP);
    expect(JSON.stringify(payload)).toBe(
      JSON.stringify({
        id: eventId,
        type: "alert.fired",
        at: "2026-12-01T10:15:00.000Z",
        value: 31.2,
        alert: {
          id: event.alert.id,
          status: "firing",
          severity: "critical",
          triggeredAt: "2026-12-01T10:15:00.000Z",
          resolvedAt: null,
          windowStart: "2026-12-01T10:10:00.000Z",
          windowEnd: "2026-12-01T10:15:00.000Z",
          url: `${APP}/dashboard/alerts/${event.alert.id}`,
        },
        rule: {
          id: event.rule.id,
          name: null,
          metric: "temperature",
          comparator: "gt",
          threshold: 30,
          aggregate: "avg",
          windowSeconds: 300,
        },
        device: { id: event.device.id, name: "Greenhouse <east> & co" },
      }),
    );
    // Nothing of the delivery's own (the URL, the secret, the attempts) goes to the receiver.
    expect(JSON.stringify(payload)).not.toMatch(/whsec_|hooks\.example|attempts|c4a00000/);
  });

  it("a resolution: its type, its time, an alert opened on an empty window", () => {
    const resolvedAt = new Date("2026-12-01T10:20:00.500Z");
    const payload = webhookPayload(
      {
        ...event,
        kind: "resolved",
        value: null,
        at: resolvedAt,
        alert: { ...event.alert, status: "resolved", resolvedAt, windowStart: null, windowEnd: null },
      },
      APP,
    );
    expect(payload).toMatchObject({
      type: "alert.resolved",
      at: "2026-12-01T10:20:00.500Z",
      value: null,
      alert: {
        status: "resolved",
        resolvedAt: "2026-12-01T10:20:00.500Z",
        windowStart: null,
        windowEnd: null,
      },
    });
  });

  it("an escalation is its own type", () => {
    expect(webhookPayload({ ...event, kind: "escalated" }, APP).type).toBe("alert.escalated");
  });
});

describe("words", () => {
  it("the condition as the rule reads, windows in their unit", () => {
    expect(conditionWords(event.rule)).toBe("avg of temperature over 5 min > 30");
    expect(conditionWords({ ...event.rule, comparator: "lte", windowSeconds: 7200 })).toBe(
      "avg of temperature over 2 h ≤ 30",
    );
    expect(conditionWords({ ...event.rule, windowSeconds: 45 })).toBe("avg of temperature over 45 s > 30");
  });

  it("the headline: severity, what happened, the rule's name or condition, the device", () => {
    expect(headline(event)).toBe(
      "[Critical] Fired: avg of temperature over 5 min > 30 on Greenhouse <east> & co",
    );
    expect(headline({ ...event, kind: "resolved", rule: { ...event.rule, name: "Too hot" } })).toBe(
      "[Critical] Resolved: Too hot on Greenhouse <east> & co",
    );
    expect(headline({ ...event, kind: "escalated" })).toMatch(
      /^\[Critical\] Still firing, not acknowledged: /,
    );
  });

  it("the link to the alert is under the app's URL", () => {
    expect(alertUrl("https://x.example/base/", "a1")).toBe("https://x.example/dashboard/alerts/a1");
  });
});

describe("the e-mail", () => {
  it("says it in plain text and in HTML, both with the link; the HTML escapes what the owner named", () => {
    const mail = emailMessage(event, APP);
    expect(mail.subject).toBe(headline(event));
    expect(mail.text).toContain("Device: Greenhouse <east> & co");
    expect(mail.text).toContain("Value: 31.2");
    expect(mail.text).toContain(`Open the alert: ${APP}/dashboard/alerts/${event.alert.id}`);
    expect(mail.html).toContain("Greenhouse &lt;east&gt; &amp; co");
    expect(mail.html).not.toContain("<east>");
    expect(mail.html).toContain(`<a href="${APP}/dashboard/alerts/${event.alert.id}">Open the alert</a>`);
  });

  it("an escalation says nobody acknowledged it; an empty window says so", () => {
    expect(emailMessage({ ...event, kind: "escalated" }, APP).text).toContain(
      "Nobody has acknowledged it yet.",
    );
    expect(emailMessage({ ...event, value: null }, APP).text).toContain("Value: no readings in the window");
  });
});

describe("the Slack-compatible message", () => {
  it("is one text with the headline in bold, the details and the link, Slack's delimiters escaped", () => {
    const { text } = slackMessage(event, APP);
    expect(text.split("\n")[0]).toBe(
      "*[Critical] Fired: avg of temperature over 5 min &gt; 30 on Greenhouse &lt;east&gt; &amp; co*",
    );
    expect(text).toContain(`<${APP}/dashboard/alerts/${event.alert.id}|Open the alert>`);
  });
});
