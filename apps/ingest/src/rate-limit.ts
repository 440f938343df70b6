// The per-device message rate: a token bucket per device, `ratePerSecond` sustained and `burst`
// at once, over both transports. What happens to a message over the rate depends on what its
// sender was promised:
// - HTTP and MQTT QoS 0: refused now (429, or dropped and counted);
// - MQTT QoS 1: the message has been or will be acknowledged, so it is never dropped. It takes a
//   place in line (the bucket goes into debt) and waits until its token has refilled; its PUBACK
//   follows its commit, so the wait is the device's back-pressure (built-in broker) or is held at
//   the external broker. A bound on how many of one device's messages may wait at once keeps one
//   device from filling an external broker's inflight window; past it, a message is admitted at
//   once rather than dropped or left to stall the other devices.
// The decisions are pure (`admission`); RateLimiter keeps the buckets.

export interface Bucket {
  /** Tokens left; below 0 when messages wait for tokens not yet refilled (QoS 1's places in line). */
  readonly tokens: number;
  /** When `tokens` was computed (ms). */
  readonly at: number;
}

export interface RateSpec {
  ratePerSecond: number;
  burst: number;
}

/** What to do with a message over the rate: refuse it, or make it wait (at most `maxWaiting` of the device's at once). */
export type OverRatePolicy = { kind: "refuse" } | { kind: "wait"; maxWaiting: number };

export type Admission =
  | { kind: "admit" }
  | { kind: "refuse"; retryAfterMs: number }
  | { kind: "wait"; ms: number }
  /** Over the rate with the device's waiting line full: admitted now, not charged to the bucket. */
  | { kind: "admit_past_bound" };

/** The bucket refilled up to `now` (a device never seen has a full one). */
export function refill(bucket: Bucket | undefined, now: number, spec: RateSpec): Bucket {
  if (!bucket) return { tokens: spec.burst, at: now };
  const elapsed = Math.max(0, now - bucket.at);
  return { tokens: Math.min(spec.burst, bucket.tokens + (elapsed / 1000) * spec.ratePerSecond), at: now };
}

/**
 * One message of a device at `now`: its bucket after the decision, and the decision. `waiting` is
 * how many of the device's messages are waiting already.
 */
export function admission(
  bucket: Bucket | undefined,
  now: number,
  spec: RateSpec,
  policy: OverRatePolicy,
  waiting: number,
): { bucket: Bucket; admission: Admission } {
  const current = refill(bucket, now, spec);
  if (current.tokens >= 1)
    return { bucket: { ...current, tokens: current.tokens - 1 }, admission: { kind: "admit" } };
  // The time until the bucket holds one more token than now: for a place in line, the wait until
  // every message ahead has had its token and this one's is there.
  const msUntilToken = ((1 - current.tokens) / spec.ratePerSecond) * 1000;
  if (policy.kind === "refuse")
    return { bucket: current, admission: { kind: "refuse", retryAfterMs: msUntilToken } };
  if (waiting >= policy.maxWaiting) return { bucket: current, admission: { kind: "admit_past_bound" } };
  return {
    bucket: { ...current, tokens: current.tokens - 1 },
    admission: { kind: "wait", ms: Math.ceil(msUntilToken) },
  };
}

/** Whether a bucket is full again at `now` (and its device can be forgotten). */
export function isFull(bucket: Bucket, now: number, spec: RateSpec): boolean {
  return refill(bucket, now, spec).tokens >= spec.burst;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly waiting = new Map<string, number>();
  private readonly spec: RateSpec;

  constructor(ratePerSecond: number, burst: number) {
    this.spec = { ratePerSecond, burst };
  }

  /** Decides for one message of `id`; a `wait` counts as waiting until `waited(id)` is called. */
  admit(id: string, policy: OverRatePolicy, now = Date.now()): Admission {
    const decision = admission(this.buckets.get(id), now, this.spec, policy, this.waiting.get(id) ?? 0);
    this.buckets.set(id, decision.bucket);
    if (decision.admission.kind === "wait") this.waiting.set(id, (this.waiting.get(id) ?? 0) + 1);
    return decision.admission;
  }

  /** A message that was told to wait has had its turn (or given up). */
  waited(id: string): void {
    const n = (this.waiting.get(id) ?? 0) - 1;
    if (n > 0) this.waiting.set(id, n);
    else this.waiting.delete(id);
  }

  /** HTTP and QoS 0: seconds until a message would be allowed; 0 when this one is (and counted). */
  take(id: string, now = Date.now()): number {
    const decision = this.admit(id, { kind: "refuse" }, now);
    return decision.kind === "refuse" ? Math.ceil(decision.retryAfterMs / 1000) : 0;
  }

  /**
   * Forgets devices that have been quiet long enough to be back at a full bucket (a bucket in debt
   * is full only once every message waiting on it has had its turn).
   */
  sweep(now = Date.now()): void {
    for (const [id, bucket] of this.buckets) if (isFull(bucket, now, this.spec)) this.buckets.delete(id);
  }
}
