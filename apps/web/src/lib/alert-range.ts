// The chart range an alert's link opens: the firing moment in the middle, so what led up to it
// and what followed are both in view (the resolution too, when it came within a week).

const MINUTE = 60_000;
const MAX_HALF = 7 * 24 * 60 * MINUTE;

/**
 * [fired - half, fired + half]: half is 30 minutes, or enough to show the resolution with a
 * margin after it (a quarter of the time it took, at least 5 minutes), at most a week. The end
 * may be in the future: the chart shows that part empty and fills it live.
 */
export function alertRange(firedAt: number, resolvedAt: number | null): { from: number; to: number } {
  let half = 30 * MINUTE;
  if (resolvedAt !== null && resolvedAt > firedAt) {
    const took = resolvedAt - firedAt;
    half = Math.min(MAX_HALF, Math.max(half, took + Math.max(5 * MINUTE, took / 4)));
  }
  return { from: firedAt - half, to: firedAt + half };
}
