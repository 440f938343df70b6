// What a notice says, per channel kind: the Standard Webhooks JSON body, the e-mail (subject,
// plain text, HTML) and the Slack-compatible message. Pure: the delivery (deliver.ts) sends them.
import type { EventForDelivery } from "@pulseboard/schema/queries/alert-deliveries";

const COMPARATOR_SYMBOLS = { gt: ">", gte: "≥", lt: "<", lte: "≤" } as const;
const SEVERITY_WORDS = { info: "Info", warning: "Warning", critical: "Critical" } as const;

/** The alert's page on the dashboard. */
export function alertUrl(appUrl: string, alertId: string): string {
  return new URL(`/dashboard/alerts/${alertId}`, appUrl).toString();
}

function windowWords(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

/** "max of temperature over 1 min > 60". */
export function conditionWords(rule: EventForDelivery["rule"]): string {
  return `${rule.aggregate} of ${rule.metric} over ${windowWords(rule.windowSeconds)} ${COMPARATOR_SYMBOLS[rule.comparator]} ${rule.threshold}`;
}

/** One line: what happened to which alert. */
export function headline(event: EventForDelivery): string {
  const what = event.rule.name ?? conditionWords(event.rule);
  const verb =
    event.kind === "fired"
      ? "Fired"
      : event.kind === "resolved"
        ? "Resolved"
        : "Still firing, not acknowledged";
  return `[${SEVERITY_WORDS[event.alert.severity]}] ${verb}: ${what} on ${event.device.name}`;
}

/** The JSON a webhook receives (docs/notifications.md, "Webhook"). */
export function webhookPayload(event: EventForDelivery, appUrl: string) {
  const iso = (date: Date | null) => (date ? date.toISOString() : null);
  return {
    id: event.id,
    type: `alert.${event.kind}`,
    at: event.at.toISOString(),
    value: event.value,
    alert: {
      id: event.alert.id,
      status: event.alert.status,
      severity: event.alert.severity,
      triggeredAt: event.alert.triggeredAt.toISOString(),
      resolvedAt: iso(event.alert.resolvedAt),
      windowStart: iso(event.alert.windowStart),
      windowEnd: iso(event.alert.windowEnd),
      url: alertUrl(appUrl, event.alert.id),
    },
    rule: {
      id: event.rule.id,
      name: event.rule.name,
      metric: event.rule.metric,
      comparator: event.rule.comparator,
      threshold: event.rule.threshold,
      aggregate: event.rule.aggregate,
      windowSeconds: event.rule.windowSeconds,
    },
    device: { id: event.device.id, name: event.device.name },
  };
}

function detailLines(event: EventForDelivery): string[] {
  const lines = [
    `Device: ${event.device.name}`,
    `Condition: ${conditionWords(event.rule)}`,
    `Value: ${event.value ?? "no readings in the window"}`,
    `At: ${event.at.toISOString()}`,
  ];
  if (event.kind === "escalated") lines.push("Nobody has acknowledged it yet.");
  return lines;
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => `&${{ "&": "amp", "<": "lt", ">": "gt", '"': "quot", "'": "#39" }[c]};`);

/** The e-mail: subject, plain text and HTML, each with the link to the alert. */
export function emailMessage(event: EventForDelivery, appUrl: string) {
  const subject = headline(event);
  const link = alertUrl(appUrl, event.alert.id);
  const lines = detailLines(event);
  const text = [subject, "", ...lines, "", `Open the alert: ${link}`, ""].join("\n");
  const html = [
    "<!doctype html><html><body>",
    `<p><strong>${escapeHtml(subject)}</strong></p>`,
    `<ul>${lines.map((l) => `<li>${escapeHtml(l)}</li>`).join("")}</ul>`,
    `<p><a href="${escapeHtml(link)}">Open the alert</a></p>`,
    "</body></html>",
  ].join("");
  return { subject, text, html };
}

/** Slack's mrkdwn wants &, < and > escaped (they delimit its links). */
const escapeSlack = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/**
 * A Slack-compatible incoming-webhook message (Slack, Mattermost, Discord's `/slack` endpoint all
 * read `text`).
 */
export function slackMessage(event: EventForDelivery, appUrl: string) {
  const link = alertUrl(appUrl, event.alert.id);
  return {
    text: [
      `*${escapeSlack(headline(event))}*`,
      ...detailLines(event).map(escapeSlack),
      `<${link}|Open the alert>`,
    ].join("\n"),
  };
}
