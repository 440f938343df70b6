// The live channels between the workers and the web app (pg_notify at commit, LISTEN on the
// direct endpoint): their names and payloads, in one place for the sender and the receiver.

/** The ingest, after each commit: `[{o: ownerId, d: deviceId, m: [metric, ...]}, ...]`. */
export const READINGS_CHANNEL = "pulseboard_readings";
/** The alerter, in each transition's transaction: one AlertTransition as JSON. */
export const ALERTS_CHANNEL = "pulseboard_alerts";
/** The web app, in a community reply's transaction: `{t: threadId, r: replyId}` (ids only). */
export const COMMUNITY_CHANNEL = "pulseboard_community";

export interface CommunityHint {
  t: string;
  r: string;
}

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

/** What a community thread's stream sends its readers. */
export type ThreadEvent = { type: "reply"; threadId: string; replyId: string } | { type: "resync" };
