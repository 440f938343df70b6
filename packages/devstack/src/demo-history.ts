// The demo greenhouse sensor's past month, created once so that its 24 h, 7 d and 30 d charts and
// its alerts have something to show at first start: a reading per minute per metric of the
// simulator's environment profile for 30 days (day and night, one weekend without readings,
// three overheating afternoons), a rule (10-minute average above 30 °C), and the one alert it had,
// fired and resolved, its events recorded as handled so the alerter sends nothing for them.
// What and when is decided by the pure functions in demo-history-curve.ts.
//
// One transaction stores it all (an interrupted start leaves none of it, and the next start makes
// it), and a device that has it, or has a rule, gets nothing more. The readings are stored like
// any insert (received_at is the transaction's start), so the roll-up takes them as late
// arrivals; it runs right after with its clock a minute past that start, so the minutes are
// rolled up at once instead of at the alerter's first sweep a minute later, through the same
// rollUpClosedMinutes. Its cutoff is then that start: in the past, and before any transaction
// that began since (the seed runs before the apps start).
import type { Database } from "@pulseboard/schema/client";
import {
  backfillDeviceHistory,
  backfillState,
  type DeviceBackfill,
} from "@pulseboard/schema/queries/backfill";
import { rollUpClosedMinutes } from "@pulseboard/schema/queries/rollups";
import { alertEpisodes, DEMO_RULE, historySeries, MINUTE_MS, planHistory } from "./demo-history-curve";

export interface DemoHistoryResult {
  /** False when the device had its history (or a rule) already, or is not the owner's. */
  created: boolean;
  readings: number;
  /** Roll-up rows made now (also for a history stored by a start that stopped before its roll-up). */
  rolledUp: number;
}

/** What the demo stores for the owner's device, as planned from `nowMs` and its earliest live reading. */
export function demoBackfill(
  ownerId: string,
  deviceId: string,
  nowMs: number,
  earliestRecordedMs: number | null,
): DeviceBackfill {
  const plan = planHistory(nowMs, earliestRecordedMs);
  const series = historySeries(plan);
  return {
    ownerId,
    deviceId,
    readings: series,
    rule: { ...DEMO_RULE, createdAt: new Date(plan.ruleCreatedMs) },
    alerts: alertEpisodes(plan, series).map((e) => ({
      triggeredAt: new Date(e.triggeredAt),
      value: e.value,
      windowStart: new Date(e.windowStart),
      windowEnd: new Date(e.windowEnd),
      resolvedAt: e.resolvedAt === null ? null : new Date(e.resolvedAt),
      resolvedValue: e.resolvedValue,
    })),
  };
}

export async function ensureDemoHistory(
  db: Database,
  ownerId: string,
  deviceId: string,
): Promise<DemoHistoryResult> {
  const state = await backfillState(db, ownerId, deviceId);
  if (!state) return { created: false, readings: 0, rolledUp: 0 };
  if (state.backfilled) {
    // Rolled up already unless a start stopped between the two steps: then this completes it
    // (the roll-up does nothing when its watermark is past the readings' arrival).
    const rolled =
      state.earliestReceivedMs === null
        ? undefined
        : await rollUpClosedMinutes(db, { now: new Date(state.earliestReceivedMs + MINUTE_MS) });
    return { created: false, readings: 0, rolledUp: rolled?.rows ?? 0 };
  }
  const stored = await backfillDeviceHistory(
    db,
    demoBackfill(ownerId, deviceId, state.nowMs, state.earliestRecordedMs),
  );
  const rolled = await rollUpClosedMinutes(db, { now: new Date(stored.receivedAtMs + MINUTE_MS) });
  return { created: stored.written, readings: stored.readings, rolledUp: rolled.rows };
}
