// The live channels between the workers and the web app (pg_notify at commit, LISTEN on the
// direct endpoint): their names and payloads, in one place for the sender and the receiver.
import type { Database } from "./client";

/** The ingest, after each commit: `[{o: ownerId, d: deviceId, m: [metric, ...]}, ...]`. */
export const READINGS_CHANNEL = "pulseboard_readings";
/** The alerter, in each transition's transaction: one AlertTransition as JSON. */
export const ALERTS_CHANNEL = "pulseboard_alerts";

export interface ReadingsHint {
  o: string;
  d: string;
  m: string[];
}

/** An alert transition the alerter recorded (its outbox event is `eventId`). */
export interface AlertTransition {
  kind: "fired" | "resolved";
  alertId: string;
  eventId: string;
  ruleId: string;
  deviceId: string;
  ownerId: string;
  value: number | null;
}

/** What the web app's /api/live stream sends a browser (server-sent event `type`). */
export type LiveEvent =
  | { type: "reading"; deviceId: string; metrics: string[] }
  | ({ type: "alert" } & Omit<AlertTransition, "ownerId">)
  | { type: "resync" };

/**
 * The ingest, after each commit: sends each payload (a JSON array of ReadingsHint, under NOTIFY's
 * 8000-byte limit) on READINGS_CHANNEL in one statement. NOTIFY is sent at commit, so this works
 * through the pooler.
 */
export async function notifyReadings(db: Database, payloads: readonly string[]): Promise<void> {
  await db.$client`select pg_notify(${READINGS_CHANNEL}, p) from unnest(${payloads as string[]}::text[]) as p`;
}
