// The alerter app's shape: what buildApp takes, what it returns, and what its endpoints and its
// sweep share (built once by buildApp).
import type { Queue } from "@pulseboard/queue";
import type { WorkerApp } from "@pulseboard/runtime/http";
import type { Logger } from "@pulseboard/runtime/logger";
import type { Mailer } from "@pulseboard/runtime/mail";
import type { Database, SqlClient } from "@pulseboard/schema/client";
import type { DeliveryQueue } from "./delivery-queue";
import type { AlerterEnv } from "./env";
import type { Maintenance, MaintenanceResult } from "./maintenance";
import type { AlerterMetrics } from "./metrics";
import type { RecentEvaluations } from "./recent-evaluations";
import type { SweepOptions, SweepResult } from "./sweep";

export type AlerterConfig = Pick<
  AlerterEnv,
  | "ALERTER_PUBLIC_URL"
  | "QSTASH_TOKEN"
  | "QSTASH_CURRENT_SIGNING_KEY"
  | "QSTASH_NEXT_SIGNING_KEY"
  | "SIGNATURE_CLOCK_TOLERANCE_S"
  | "SWEEP_INTERVAL_MS"
  | "WEBHOOK_MAX_ATTEMPTS"
  | "WEBHOOK_TIMEOUT_MS"
  | "METRICS_PORT"
  | "QUEUE_RETRY_BASE_MS"
  | "WEBHOOK_ALLOW_PRIVATE"
  | "RAW_RETENTION_DAYS"
  | "MINUTE_RETENTION_DAYS"
  | "APP_URL"
  | "SMTP_URL"
  | "MAIL_FROM"
>;

export interface AlerterContext {
  db: Database;
  log: Logger;
  metrics: AlerterMetrics;
  deliveries: DeliveryQueue;
  /** E-mail notices' SMTP connection (undefined without SMTP_URL). */
  mailer: Mailer | undefined;
  config: AlerterConfig;
  maintenance: Maintenance;
  /** Devices evaluated from messages just now, which a sweep leaves out. */
  recent: RecentEvaluations;
}

export interface AlerterDeps {
  db: Database;
  log: Logger;
  queue: Queue;
  config: AlerterConfig;
  /**
   * The direct endpoint, for dropping partitions past retention (DETACH … CONCURRENTLY cannot run
   * in a transaction, so not through a transaction pooler). Without it, nothing is dropped.
   */
  direct?: SqlClient;
}

export interface AlerterApp extends WorkerApp {
  metrics: AlerterMetrics;
  /** Evaluates every rule and re-delivers what no queue chain owns (what /v1/sweep does). */
  sweep(options?: SweepOptions): Promise<SweepResult>;
  /** One partition maintenance run now (what the sweep starts every few minutes). */
  maintain(now?: Date): Promise<MaintenanceResult | undefined>;
  /** The VACUUM of new readings every sweep starts (the one under way, or a new one): partitions vacuumed. */
  vacuumNewReadings(): Promise<string[]>;
}
