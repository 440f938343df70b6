// The after-commit throttles, pure: which devices are due a last-seen update, and when the next
// evaluation message may go.

/**
 * The touched devices due a last-seen update at `now`: those not written within `intervalMs`
 * (never written counts as long ago).
 */
export function dueForLastSeen(
  deviceIds: Iterable<string>,
  lastWritten: ReadonlyMap<string, number>,
  now: number,
  intervalMs: number,
): string[] {
  const due: string[] = [];
  for (const id of deviceIds) if (now - (lastWritten.get(id) ?? 0) >= intervalMs) due.push(id);
  return due;
}

/** Devices last written before this instant have been quiet for a while and are forgotten. */
export function lastSeenCutoff(now: number, intervalMs: number): number {
  return now - 10 * intervalMs;
}

/**
 * Throttle, not a fixed tick: how long to wait before the next evaluation message. The first
 * touch after a quiet interval goes at once (0); touches within an interval of the last message
 * wait for its end. Either way, messages are at least `intervalMs` apart.
 */
export function evaluationDelay(lastSentAt: number, now: number, intervalMs: number): number {
  return Math.max(0, lastSentAt + intervalMs - now);
}

/**
 * The deduplication window of a message sent at `sentAt`: messages are at least an interval
 * apart, so each falls in its own window.
 */
export function evaluationWindow(sentAt: number, intervalMs: number): number {
  return Math.floor(sentAt / intervalMs);
}
