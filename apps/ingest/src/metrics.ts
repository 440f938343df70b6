// Prometheus metrics (text format at /metrics). A registry per app, so tests can run several.
// Labels never carry a device key.
import { Counter, Gauge, Histogram, Registry } from "prom-client";

export function createMetrics() {
  const registry = new Registry();
  const registers = [registry];
  return {
    registry,
    accepted: new Counter({
      name: "ingest_messages_accepted_total",
      help: "Messages stored, by transport",
      labelNames: ["transport"],
      registers,
    }),
    rejected: new Counter({
      name: "ingest_messages_rejected_total",
      help: "Messages refused, by transport and reason",
      labelNames: ["transport", "reason"],
      registers,
    }),
    delayed: new Counter({
      name: "ingest_messages_delayed_total",
      help: "QoS 1 messages over their device's rate, held until its bucket refilled (never dropped)",
      labelNames: ["transport"],
      registers,
    }),
    admittedPastBound: new Counter({
      name: "ingest_messages_admitted_past_rate_bound_total",
      help: "QoS 1 messages over their device's rate admitted at once: too many of the device's were waiting already",
      labelNames: ["transport"],
      registers,
    }),
    rowsWritten: new Counter({ name: "ingest_rows_written_total", help: "Reading rows inserted", registers }),
    duplicateMessages: new Counter({
      name: "ingest_duplicate_messages_total",
      help: "Messages whose id (mid, Idempotency-Key) was already stored: acknowledged, not stored again",
      registers,
    }),
    flushRows: new Histogram({
      name: "ingest_flush_rows",
      help: "Rows per flush",
      buckets: [1, 10, 50, 100, 500, 1000, 2500, 5000, 10000],
      registers,
    }),
    flushDuration: new Histogram({
      name: "ingest_flush_duration_seconds",
      help: "Time to write and commit one flush",
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    flushFailures: new Counter({
      name: "ingest_flush_failures_total",
      help: "Failed flushes, by kind (unavailable, statement, no_partition)",
      labelNames: ["kind"],
      registers,
    }),
    bufferRows: new Gauge({ name: "ingest_buffer_rows", help: "Rows waiting to be written", registers }),
    connectedClients: new Gauge({
      name: "ingest_mqtt_connected_clients",
      help: "MQTT connections: device clients on the built-in broker, subscribers on an external one",
      registers,
    }),
    evaluationsEnqueued: new Counter({
      name: "ingest_evaluations_enqueued_total",
      help: "Evaluation messages sent to the alerter queue",
      registers,
    }),
  };
}

export type IngestMetrics = ReturnType<typeof createMetrics>;
