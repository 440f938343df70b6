// The local queue (no QSTASH_TOKEN): delivers in-process by HTTP POST, signed and retried as QStash
// does, so the receiving service runs its production verification path. Messages live in memory
// only: whatever is still waiting when the process stops is lost (QStash keeps them; we don't).

import { randomBytes } from "node:crypto";
import { setMaxListeners } from "node:events";
import { deadline } from "@pulseboard/runtime/abort";
import type { Logger } from "@pulseboard/runtime/logger";
import { signLikeQStash } from "./sign";
import type { PublishRequest, PublishResult, Queue, QueueConfig } from "./types";

const DEFAULT_RETRIES = 3;
const DAY_MS = 86_400_000;
/** Per attempt; QStash's limit depends on the plan, this keeps a hung receiver from pinning a slot. */
const ATTEMPT_TIMEOUT_MS = 30_000;
/** Dedup ids kept at most; evicting early only weakens dedup, it never loses a message. */
const MAX_DEDUP_IDS = 100_000;

interface Message {
  id: string;
  url: string;
  body: string;
  retries: number;
  headers: Record<string, string>;
}

export class QueueFullError extends Error {
  override name = "QueueFullError";
}

export class QueueClosedError extends Error {
  override name = "QueueClosedError";
}

/** QStash's backoff before retry n, min(1 day, e^(2.5n) s), with `baseMs` as the unit instead of 1 s. */
export function retryDelayMs(retry: number, baseMs: number): number {
  return Math.min(DAY_MS, baseMs * Math.exp(2.5 * retry));
}

/** A destination for the concurrency bound: the URL without its query or fragment. */
export function destinationOf(url: string): string {
  const { origin, pathname } = new URL(url);
  return origin + pathname;
}

/** fetch reports "fetch failed"; the reason (ECONNREFUSED, timeout) is in `cause`. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message;
}

export function createLocalQueue(config: QueueConfig, log: Logger): Queue {
  const baseMs = config.retryBaseMs ?? 1000;
  const maxPending = config.maxPending ?? 10_000;
  const dedupWindowMs = config.dedupWindowMs ?? 10 * 60_000;
  const closeTimeoutMs = config.closeTimeoutMs ?? 5000;
  const maxConcurrent = Math.max(1, config.maxConcurrentPerDestination ?? 16);

  let pending = 0;
  let closed = false;
  const dedup = new Map<string, { messageId: string; expiresAt: number }>();
  const timers = new Set<NodeJS.Timeout>();
  const inFlight = new Set<Promise<void>>();
  const stop = new AbortController();
  // Every request in flight listens on it (deadline()): hundreds at once is expected, not a leak.
  setMaxListeners(0, stop.signal);

  // Per destination: attempts running, and due messages waiting for a free slot (in order).
  const lanes = new Map<string, { running: number; waiting: { msg: Message; retried: number }[] }>();

  function schedule(msg: Message, retried: number, delayMs: number) {
    const timer = setTimeout(() => {
      timers.delete(timer);
      due(msg, retried);
    }, delayMs);
    timers.add(timer);
  }

  function due(msg: Message, retried: number) {
    const key = destinationOf(msg.url);
    let lane = lanes.get(key);
    if (!lane) {
      lane = { running: 0, waiting: [] };
      lanes.set(key, lane);
    }
    lane.waiting.push({ msg, retried });
    pump(key, lane);
  }

  function pump(key: string, lane: { running: number; waiting: { msg: Message; retried: number }[] }) {
    while (lane.running < maxConcurrent) {
      const next = lane.waiting.shift();
      if (!next) break;
      lane.running++;
      const attempt = deliver(next.msg, next.retried).finally(() => {
        inFlight.delete(attempt);
        lane.running--;
        pump(key, lane);
      });
      inFlight.add(attempt);
    }
    if (lane.running === 0 && lane.waiting.length === 0) lanes.delete(key);
  }

  function deliveryHeaders(msg: Message, retried: number) {
    // Forwarded headers first; ours win (a caller's Content-Type or Upstash-* can't override them).
    const headers = new Headers(msg.headers);
    headers.set("Content-Type", "application/json");
    headers.set("Upstash-Message-Id", msg.id);
    headers.set("Upstash-Retried", String(retried));
    headers.set(
      "Upstash-Signature",
      signLikeQStash({ url: msg.url, body: msg.body, signingKey: config.currentSigningKey }),
    );
    return headers;
  }

  async function deliver(msg: Message, retried: number) {
    // Origin only: webhook URLs often carry their secret in the path.
    const ctx = { messageId: msg.id, destination: new URL(msg.url).origin, retried };
    let failure: string;
    const limit = deadline(ATTEMPT_TIMEOUT_MS, stop.signal);
    try {
      const res = await fetch(msg.url, {
        method: "POST",
        body: msg.body,
        headers: deliveryHeaders(msg, retried),
        // The signature binds the URL: a redirect target would fail verification anyway.
        redirect: "manual",
        signal: limit.signal,
      });
      await res.body?.cancel();
      limit.done();
      if (res.ok) {
        pending--;
        log.debug(ctx, "message delivered");
        return;
      }
      failure = `status ${res.status}`;
      // As QStash: 489 with Upstash-NonRetryable-Error says retrying cannot help.
      if (res.status === 489 && res.headers.get("upstash-nonretryable-error") === "true") {
        pending--;
        log.warn({ ...ctx, failure }, "delivery refused as non-retryable; not retrying");
        return;
      }
    } catch (error) {
      limit.done();
      failure = describe(error);
    }
    // As QStash: any other non-2xx or network error is retried, until the retries run out.
    if (retried < msg.retries && !closed) {
      const delayMs = retryDelayMs(retried + 1, baseMs);
      log.warn({ ...ctx, failure, retryInMs: Math.round(delayMs) }, "delivery failed; will retry");
      schedule(msg, retried + 1, delayMs);
    } else {
      pending--;
      log.error({ ...ctx, failure }, closed ? "delivery failed; queue closed" : "delivery failed; giving up");
    }
  }

  function dedupHit(id: string, now: number) {
    // Insertion order is expiry order (one window for all), so expired entries are at the front.
    for (const [key, entry] of dedup) {
      if (entry.expiresAt > now && dedup.size <= MAX_DEDUP_IDS) break;
      dedup.delete(key);
    }
    return dedup.get(id);
  }

  return {
    async publishJSON(req: PublishRequest): Promise<PublishResult> {
      if (closed) throw new QueueClosedError("queue is closed: publishJSON after close()");
      const url = new URL(req.url);
      if (url.protocol !== "http:" && url.protocol !== "https:") {
        throw new TypeError(`queue: destination must be an http(s) URL, got ${url.protocol}`);
      }
      const now = Date.now();
      if (req.deduplicationId !== undefined) {
        const hit = dedupHit(req.deduplicationId, now);
        if (hit) {
          log.debug({ messageId: hit.messageId }, "duplicate message not enqueued");
          return { messageId: hit.messageId, deduplicated: true };
        }
      }
      if (pending >= maxPending) {
        throw new QueueFullError(
          `local queue is full: ${maxPending} messages pending delivery (maxPending); is the destination down?`,
        );
      }
      const msg: Message = {
        id: `msg_${randomBytes(24).toString("base64url")}`,
        url: req.url,
        body: JSON.stringify(req.body) ?? "",
        retries: req.retries ?? DEFAULT_RETRIES,
        headers: req.headers ?? {},
      };
      if (req.deduplicationId !== undefined) {
        dedup.set(req.deduplicationId, { messageId: msg.id, expiresAt: now + dedupWindowMs });
      }
      pending++;
      schedule(msg, 0, (req.delaySeconds ?? 0) * 1000);
      log.debug({ messageId: msg.id, destination: url.origin }, "message enqueued");
      return { messageId: msg.id, deduplicated: false };
    },

    async close() {
      if (closed) return;
      closed = true;
      // Waiting messages (delay, backoff) may be due hours from now: drop them, finish what runs.
      for (const timer of timers) clearTimeout(timer);
      let dropped = timers.size;
      timers.clear();
      for (const lane of lanes.values()) {
        dropped += lane.waiting.length;
        lane.waiting = [];
      }
      pending -= dropped;
      let timeout: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...inFlight]),
        new Promise((resolve) => {
          timeout = setTimeout(resolve, closeTimeoutMs);
        }),
      ]);
      clearTimeout(timeout);
      const unfinished = inFlight.size;
      stop.abort();
      await Promise.allSettled([...inFlight]);
      if (dropped > 0 || unfinished > 0) {
        log.warn({ dropped, aborted: unfinished }, "queue closed with undelivered messages");
      }
    },
  };
}
