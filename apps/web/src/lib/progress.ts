// The progress page's per-session figures for one exercise: the best set (the heaviest weight;
// the first set at that weight wins a tie), the best e1RM and the volume. Pure: the page loads
// the sets and charts what this returns.
import { type E1rmFormula, estimateOneRepMax, setVolumeKg } from "@pulseboard/schema/fitness-math";

export interface ProgressSet {
  logId: string;
  performedAt: Date;
  exerciseId: string;
  reps: number;
  weightKg: number | null;
}

export interface SessionProgress {
  /** The workout (log) id. */
  id: string;
  at: Date;
  /** The heaviest loaded set; null when every set was unloaded. */
  best: { reps: number; kg: number } | null;
  /** The best estimated one-rep max over the session's sets; null when none has an estimate. */
  e1rm: number | null;
  volume: number;
}

/** One row per session that has sets of the exercise, in the order the sets come (oldest first). */
export function sessionProgress(
  sets: readonly ProgressSet[],
  exerciseId: string | undefined,
  options: { formula: E1rmFormula; repCap: number },
): SessionProgress[] {
  const sessions = new Map<string, SessionProgress>();
  for (const s of sets) {
    if (s.exerciseId !== exerciseId) continue;
    const row = sessions.get(s.logId) ?? {
      id: s.logId,
      at: s.performedAt,
      best: null,
      e1rm: null,
      volume: 0,
    };
    const kg = s.weightKg ?? 0;
    row.volume += setVolumeKg(s);
    if (kg > 0 && (!row.best || kg > row.best.kg)) row.best = { reps: s.reps, kg };
    const e = estimateOneRepMax(s.weightKg, s.reps, options.formula, options.repCap);
    if (e !== null && (row.e1rm === null || e > row.e1rm)) row.e1rm = e;
    sessions.set(s.logId, row);
  }
  return [...sessions.values()];
}
