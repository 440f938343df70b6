// Device key check. Keys are looked up by their SHA-256 digest; positive and negative answers are
// cached briefly (a deleted device, or a key replaced with no grace, stops being accepted within
// the TTL; a replaced key's grace ends on time); lookups that arrive
// together are answered by one query, so a flood of unknown keys costs one query per batch, not
// one per message. Keys are never logged, and the cache is keyed by digest; the digests of keys
// seen lately are remembered (bounded like the cache), so a device's key is hashed once, not once
// per message (a SHA-256 per message was a few per cent of the ingest's thread under load).
// The query is devicesByKeyDigests (packages/schema/src/queries/device-keys.ts).
import type { Database } from "@pulseboard/schema/client";
import { devicesByKeyDigests } from "@pulseboard/schema/queries/device-keys";
import { DEVICE_KEY_PATTERN, deviceKeyDigest } from "@pulseboard/schema/telemetry";
import { DatabaseUnavailableError, isUnavailable } from "./errors";

export interface KnownDevice {
  deviceId: string;
  ownerId: string;
}

export interface DeviceKeyOptions {
  ttlMs: number;
  /** How long lookups gather before one query answers them all. */
  batchWindowMs?: number;
  /** At most this many digests per query. */
  maxBatch?: number;
  /** Cache entries kept at most (oldest dropped first). */
  maxEntries?: number;
}

interface Cached {
  device: KnownDevice | null;
  expires: number;
}

export class DeviceKeyResolver {
  private cache = new Map<string, Cached>();
  /** Key → digest, for keys seen lately; emptied when it reaches the cache's bound. */
  private digests = new Map<string, string>();
  private pending = new Map<
    string,
    { resolve: (d: KnownDevice | null) => void; reject: (e: Error) => void }[]
  >();
  private timer: NodeJS.Timeout | undefined;
  private gate: Promise<void> | undefined;
  /** Queries run so far (observable for tests and metrics). */
  queries = 0;

  constructor(
    private readonly db: Database,
    private readonly options: DeviceKeyOptions,
  ) {}

  /** Distinct digests waiting for a lookup (observable for tests). */
  get waiting(): number {
    return this.pending.size;
  }

  /**
   * Test hook: lookups are held (lookups arriving meanwhile keep gathering) until the returned
   * function is called; then they are answered as usual, at most `maxBatch` digests per query.
   */
  hold(): () => void {
    let open: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    this.gate = gate;
    return () => {
      if (this.gate === gate) this.gate = undefined;
      open();
    };
  }

  /** The device a key belongs to, or null for a malformed, unknown or deleted key. */
  resolve(key: string): Promise<KnownDevice | null> {
    const known = this.cached(key);
    if (known !== undefined) return Promise.resolve(known);
    // Not malformed (cached answers null for that), so it has a digest.
    const digest = this.digestOf(key) as string;
    return new Promise((resolve, reject) => {
      const waiters = this.pending.get(digest);
      if (waiters) waiters.push({ resolve, reject });
      else this.pending.set(digest, [{ resolve, reject }]);
      this.timer ??= setTimeout(() => this.lookup(), this.options.batchWindowMs ?? 2);
    });
  }

  /**
   * The answer already known for a key, without waiting: the device, null for a malformed key or
   * one known to be unknown, undefined when it has to be looked up (`resolve`).
   */
  cached(key: string): KnownDevice | null | undefined {
    const digest = this.digestOf(key);
    if (digest === undefined) return null;
    const hit = this.cache.get(digest);
    return hit && hit.expires > Date.now() ? hit.device : undefined;
  }

  /** The key's digest, or undefined for a malformed key (never remembered). */
  private digestOf(key: string): string | undefined {
    const known = this.digests.get(key);
    if (known !== undefined) return known;
    if (!DEVICE_KEY_PATTERN.test(key)) return undefined;
    if (this.digests.size >= (this.options.maxEntries ?? 100_000)) this.digests.clear();
    const digest = deviceKeyDigest(key);
    this.digests.set(key, digest);
    return digest;
  }

  private async lookup(): Promise<void> {
    // Held by a test: the timer stays set meanwhile, so arrivals join this lookup.
    while (this.gate) await this.gate;
    this.timer = undefined;
    const maxBatch = this.options.maxBatch ?? 1000;
    const digests = [...this.pending.keys()].slice(0, maxBatch);
    const waiters = digests.map((d) => [d, this.pending.get(d) ?? []] as const);
    for (const d of digests) this.pending.delete(d);
    if (this.pending.size > 0) this.timer = setTimeout(() => this.lookup(), 0);
    try {
      this.queries++;
      const rows = await devicesByKeyDigests(this.db, digests);
      const found = new Map(rows.map((r) => [r.digest, r]));
      const expires = Date.now() + this.options.ttlMs;
      for (const [digest, list] of waiters) {
        const row = found.get(digest);
        const device = row ? { deviceId: row.deviceId, ownerId: row.ownerId } : null;
        // A replaced key in its grace period is not remembered past the grace's end.
        const graceEnds = row?.expiresInMs == null ? expires : Date.now() + row.expiresInMs;
        this.remember(digest, { device, expires: Math.min(expires, graceEnds) });
        for (const w of list) w.resolve(device);
      }
    } catch (error) {
      const failure = isUnavailable(error)
        ? new DatabaseUnavailableError({ cause: error })
        : error instanceof Error
          ? error
          : new Error(String(error));
      for (const [, list] of waiters) for (const w of list) w.reject(failure);
    }
  }

  private remember(digest: string, entry: Cached): void {
    this.cache.delete(digest);
    this.cache.set(digest, entry);
    const max = this.options.maxEntries ?? 100_000;
    while (this.cache.size > max) {
      const oldest = this.cache.keys().next().value;
      if (oldest === undefined) break;
      this.cache.delete(oldest);
    }
  }
}
