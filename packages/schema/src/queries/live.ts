// Notifications on the live channels (packages/schema/src/live.ts has their names and payloads).
import type { Database } from "../client";
import { READINGS_CHANNEL } from "../live";

/**
 * The ingest, after each commit: sends each payload (a JSON array of ReadingsHint, under NOTIFY's
 * 8000-byte limit) on READINGS_CHANNEL in one statement. NOTIFY is sent at commit, so this works
 * through the pooler.
 */
export async function notifyReadings(db: Database, payloads: readonly string[]): Promise<void> {
  // One JSON array of the payloads (JSON.stringify escapes their quotes natively), not a text[]
  // the driver escapes element by element with regular expressions: the payloads are JSON, full
  // of quotes, and that escaping was a tenth of what the ingest allocated under load.
  await db.$client`
    select pg_notify(${READINGS_CHANNEL}, p)
    from json_array_elements_text(${JSON.stringify(payloads)}::text::json) as p`;
}
