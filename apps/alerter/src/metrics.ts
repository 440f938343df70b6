import { Counter, Gauge, Histogram, Registry } from "prom-client";

export function createMetrics() {
  const registry = new Registry();
  const registers = [registry];
  return {
    registry,
    evaluations: new Counter({
      name: "alerter_evaluations_total",
      help: "Rule evaluations, by trigger (evaluate, sweep)",
      labelNames: ["trigger"],
      registers,
    }),
    transitions: new Counter({
      name: "alerter_transitions_total",
      help: "Alert transitions recorded, by kind (fired, resolved)",
      labelNames: ["kind"],
      registers,
    }),
    evaluationFailures: new Counter({
      name: "alerter_evaluation_failures_total",
      help: "Devices or rules skipped because their evaluation failed (the rest went on), by scope",
      labelNames: ["scope"],
      registers,
    }),
    sweepsSkipped: new Counter({
      name: "alerter_sweeps_skipped_total",
      help: "Sweeps that did nothing because another sweep (this instance or another) held the lease",
      registers,
    }),
    evaluationDuration: new Histogram({
      name: "alerter_evaluation_duration_seconds",
      help: "Time to evaluate one request's devices (or a whole sweep)",
      labelNames: ["trigger"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    webhookDeliveries: new Counter({
      name: "alerter_webhook_deliveries_total",
      help: "Notice delivery attempts (webhook, e-mail, Slack), by outcome (delivered, retry, failed, skipped)",
      labelNames: ["outcome"],
      registers,
    }),
    purgedRows: new Counter({
      name: "alerter_purged_rows_total",
      help: "Rows of deleted devices (readings, roll-ups) purged in the background",
      registers,
    }),
    purgedDevices: new Counter({
      name: "alerter_purged_devices_total",
      help: "Deleted devices whose rows are all purged",
      registers,
    }),
    purgeFailures: new Counter({
      name: "alerter_purge_failures_total",
      help: "Deleted devices whose purge failed in a sweep (the others went on; retried next sweep)",
      registers,
    }),
    purgeQueue: new Gauge({
      name: "alerter_purge_queue_devices",
      help: "Deleted devices whose rows are still to be purged, as of the last sweep",
      registers,
    }),
    rejectedRequests: new Counter({
      name: "alerter_rejected_requests_total",
      help: "Requests refused, by reason (signature, body)",
      labelNames: ["reason"],
      registers,
    }),
  };
}

export type AlerterMetrics = ReturnType<typeof createMetrics>;

/** The registry's text, for `GET /metrics`. */
export async function renderMetrics(metrics: AlerterMetrics) {
  return { contentType: metrics.registry.contentType, text: await metrics.registry.metrics() };
}
