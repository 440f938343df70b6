export interface PublishRequest {
  /** Destination; the local queue POSTs here, QStash does the same from its side. */
  url: string;
  /** Serialised once with JSON.stringify; the receiver verifies exactly those bytes. */
  body: unknown;
  /** A second publish with the same id within the dedup window is accepted but not delivered. */
  deduplicationId?: string;
  /** Retries after the first attempt (default 3, as QStash). */
  retries?: number;
  delaySeconds?: number;
  /** Forwarded to the destination as they are. */
  headers?: Record<string, string>;
}

export interface PublishResult {
  messageId: string;
  deduplicated: boolean;
}

export interface Queue {
  /** Resolves once the message is accepted (enqueued), not when it is delivered. */
  publishJSON(req: PublishRequest): Promise<PublishResult>;
  close(): Promise<void>;
}

export interface QueueConfig {
  /** QSTASH_TOKEN: set means real QStash; unset means the local queue. */
  token?: string;
  /** QSTASH_URL (QStash only). */
  baseUrl?: string;
  /** QSTASH_CURRENT_SIGNING_KEY: the local queue signs with it. */
  currentSigningKey: string;
  /** QSTASH_NEXT_SIGNING_KEY: kept for symmetry with Receiver; the local queue never signs with it. */
  nextSigningKey: string;
  /** Local queue: backoff unit; the delay before retry n is retryBaseMs * e^(2.5n), QStash's curve. */
  retryBaseMs?: number;
  /** Local queue: messages accepted but not yet delivered or given up (default 10 000). */
  maxPending?: number;
  /** Local queue: deduplication window (default 10 minutes, QStash's). */
  dedupWindowMs?: number;
  /**
   * Local queue: attempts in progress at once per destination (its URL without the query; default
   * 16). Due messages beyond it wait their turn, in order, so a slow destination (a webhook
   * receiver timing out) neither takes every socket nor holds up another destination's messages.
   */
  maxConcurrentPerDestination?: number;
  /** Local queue: how long close() waits for attempts in progress (default 5 s). */
  closeTimeoutMs?: number;
}
