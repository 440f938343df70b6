// The ingest benchmark's loss check, decided: acknowledged readings (device, metric, device
// timestamp, value, as the simulator reported them with each acknowledgement) against the rows
// stored for the run's devices (compareAckedReadings in ./loss-check.ts counts them).
import { fmtInt } from "@pulseboard/devstack/bench";

export interface ReadingsComparison {
  /** Readings in acknowledged messages, as the simulator counted them. */
  acknowledged: number;
  /** Of them, recorded for the check (all of them, unless the recording missed some). */
  recorded: number;
  /** Recorded readings acknowledged more than once (same device, metric and time; stored once). */
  repeated: number;
  /** Acknowledged, not stored. */
  missing: number;
  /** Stored under the same device, metric and time, with another value. */
  mismatched: number;
  /** Rows stored for the run's devices. */
  stored: number;
  /** Of them, never seen acknowledged: committed, the acknowledgement not seen before stop. */
  unacknowledged: number;
  /** A few of the missing or mismatched readings, for diagnosis. */
  examples: string[];
}

export interface LossVerdict {
  /** Every acknowledged reading was checked and is stored with the value sent. */
  lossFree: boolean;
  /** For a table cell. */
  word: "OK" | "LOSS" | "NOT CHECKED";
  /** `1,234 readings acknowledged, all stored with their values: OK; ...` */
  line: string;
}

export function lossVerdict(c: ReadingsComparison): LossVerdict {
  const notes: string[] = [];
  if (c.unacknowledged > 0) {
    notes.push(
      `${fmtInt(c.unacknowledged)} more stored, never seen acknowledged (committed, the acknowledgement not seen before stop; not a loss)`,
    );
  }
  if (c.repeated > 0)
    notes.push(`${fmtInt(c.repeated)} acknowledged twice (stored once, by the primary key)`);
  notes.push("duplicates in storage: impossible (primary key device, metric, recorded_at)");
  const tail = `; ${notes.join("; ")}`;
  const acked = `${fmtInt(c.acknowledged)} readings acknowledged`;
  // Unrecorded acknowledged readings were not looked up: no verdict can cover them.
  if (c.recorded !== c.acknowledged) {
    return {
      lossFree: false,
      word: "NOT CHECKED",
      line: `${acked}, ${fmtInt(c.recorded)} of them recorded for the check: NOT CHECKED${tail}`,
    };
  }
  if (c.missing > 0 || c.mismatched > 0) {
    return {
      lossFree: false,
      word: "LOSS",
      line: `${acked}: LOSS (${fmtInt(c.missing)} missing, ${fmtInt(c.mismatched)} with another value; e.g. ${c.examples.join(", ")})${tail}`,
    };
  }
  return { lossFree: true, word: "OK", line: `${acked}, all stored with their values: OK${tail}` };
}
