// A sliding-window rate limit over a short log of past event times: at most `limit` events in
// any `windowMs`. The log is kept by the caller (a column, so every web instance shares it).

export type RateDecision =
  /** Allowed: `log` is what to keep (the events still in the window, and this one). */
  | { allowed: true; log: Date[] }
  /** Over the limit: the event may be retried in this many seconds. */
  | { allowed: false; retryAfterSeconds: number };

export function slidingWindow(
  log: readonly Date[],
  now: Date,
  limit: number,
  windowMs: number,
): RateDecision {
  const since = now.getTime() - windowMs;
  // Times from another instance may be slightly ahead of this one's clock: they still count.
  const recent = log.filter((t) => t.getTime() > since).sort((a, b) => a.getTime() - b.getTime());
  if (recent.length < limit) return { allowed: true, log: [...recent, now] };
  // The next slot frees when the oldest of the last `limit` events leaves the window.
  const freesAt = (recent[recent.length - limit] as Date).getTime() + windowMs;
  return {
    allowed: false,
    retryAfterSeconds: Math.min(
      Math.max(1, Math.ceil((freesAt - now.getTime()) / 1000)),
      Math.ceil(windowMs / 1000),
    ),
  };
}
