import "server-only";
import type { Database } from "@pulseboard/schema/client";
import type { PreferencesBody } from "@pulseboard/schema/fitness";
import {
  detectPersonalRecords,
  type PersonalRecord,
  type SessionForRecords,
} from "@pulseboard/schema/fitness-math";
import { allSets } from "@pulseboard/schema/queries/sets";

/** The owner's sets grouped into sessions, oldest first, and the records each session set. */
export async function personalRecords(
  db: Database,
  ownerId: string,
  prefs: PreferencesBody,
  filter: Parameters<typeof allSets>[2] = {},
) {
  const sets = await allSets(db, ownerId, filter);
  const sessions = new Map<string, SessionForRecords>();
  for (const s of sets) {
    const session = sessions.get(s.logId) ?? { id: s.logId, performedAt: s.performedAt, sets: [] };
    session.sets.push({ exerciseId: s.exerciseId, reps: s.reps, weightKg: s.weightKg });
    sessions.set(s.logId, session);
  }
  const records = detectPersonalRecords([...sessions.values()], {
    formula: prefs.e1rmFormula,
    repCap: prefs.repCap,
  });
  const bySession = new Map<string, PersonalRecord[]>();
  for (const r of records) bySession.set(r.sessionId, [...(bySession.get(r.sessionId) ?? []), r]);
  return { sets, records, bySession };
}
