// Live chart updates: the buckets a chart shows, with an incremental read's merged in
// (docs/api.md, `since`).

export interface BucketPoint {
  /** Bucket start, ISO-8601 UTC. */
  t: string;
}

/**
 * The shown points with an update's: those before `since` (the last shown bucket's start, which
 * the update re-read) kept, less those wholly before the sliding window's new `start`; the
 * update's points, which start at `since`, after them.
 */
export function appendBuckets<P extends BucketPoint>(
  shown: readonly P[],
  update: readonly P[],
  since: string,
  start: number,
  bucketSeconds: number,
): P[] {
  const sinceMs = Date.parse(since);
  const kept = shown.filter((p) => {
    const t = Date.parse(p.t);
    return t < sinceMs && t + bucketSeconds * 1000 > start;
  });
  return [...kept, ...update];
}
