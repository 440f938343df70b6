// The path every message takes, whatever its transport: key check, rate limit, validation
// (the zod contracts from packages/schema), then the batch writer. Transports only translate the
// outcome: HTTP into a status code, MQTT into an acknowledgement or its absence.
import type { Logger } from "@pulseboard/runtime/logger";
import { retentionStart } from "@pulseboard/schema/partitions";
import {
  DEVICE_KEY_PATTERN,
  type DeviceRejectionReason,
  MESSAGE_ID_MESSAGE,
  MESSAGE_ID_PATTERN,
  type PayloadProblem,
  parseReadingsPayload,
  type RejectionReason,
} from "@pulseboard/schema/telemetry";
import type { DeviceKeyResolver, KnownDevice } from "./device-keys";
import { BufferFullError, DatabaseUnavailableError, ShuttingDownError } from "./errors";
import type { IngestMetrics } from "./metrics";
import type { RateLimiter } from "./rate-limit";
import { ReceiveClock } from "./receive-clock";
import type { RejectionStore } from "./rejection-store";
import type { ReadingRow, ReadingWriter } from "./writer";

export type Transport = "http" | "mqtt";

export type Refusal =
  | { kind: "invalid"; reason: RejectionReason | "invalid_json"; problems: PayloadProblem[] }
  | { kind: "unknown_key" }
  | { kind: "rate_limited"; retryAfterSeconds: number }
  | { kind: "unavailable"; retryAfterSeconds: number };

/**
 * Over the device's rate: `refuse` (HTTP, QoS 0), or `wait` for a token (QoS 1, whose sender has
 * been or will be acknowledged), at most `maxWaiting` of the device's messages at once (past it, the
 * message is admitted at once). A wait ends early, unavailable, when `isStopping` turns true.
 */
export type OverRate = { kind: "refuse" } | { kind: "wait"; maxWaiting: number; isStopping: () => boolean };

export const REFUSE: OverRate = { kind: "refuse" };

export interface Prepared {
  kind: "prepared";
  device: KnownDevice;
  rows: ReadingRow[];
  /** The message id (body `mid`, or HTTP Idempotency-Key): stored once per device. */
  mid?: string | undefined;
}

/**
 * Rejections are counted per reason at once, but logged once per device per interval with their
 * counts and one example, never once per message (a misconfigured fleet would drown the logs).
 */
export class RejectionLog {
  private pending = new Map<
    string,
    { counts: Record<string, number>; example: string; transport: Transport }
  >();
  constructor(private readonly log: Logger) {}

  add(deviceId: string | undefined, transport: Transport, reason: string, example: string): void {
    const id = deviceId ?? "unknown-key";
    const entry = this.pending.get(id) ?? { counts: {}, example, transport };
    entry.counts[reason] = (entry.counts[reason] ?? 0) + 1;
    this.pending.set(id, entry);
  }

  flush(): void {
    for (const [id, { counts, example, transport }] of this.pending) {
      const fields =
        id === "unknown-key"
          ? { transport, rejected: counts }
          : { deviceId: id, transport, rejected: counts };
      this.log.warn({ ...fields, example }, "messages rejected");
    }
    this.pending.clear();
  }
}

export interface IntakeDeps {
  resolver: DeviceKeyResolver;
  writer: ReadingWriter;
  metrics: IngestMetrics;
  limiter: RateLimiter;
  rejections: RejectionLog;
  /** Known devices' refusals, for their owners (written per interval). */
  store?: RejectionStore;
  /** Raw retention (RAW_RETENTION_DAYS): older readings are refused as too_old. */
  rawRetentionDays: number;
}

/** Anything in a problem's text that looks like a device key (a body can hold anything). */
const KEY_LIKE = new RegExp(DEVICE_KEY_PATTERN.source.slice(1, -1), "g");

/** A problem's text as it may be logged and stored: no key, bounded length. */
export function safeDetail(text: string): string {
  const clean = text.replace(KEY_LIKE, "dk_…");
  return clean.length > 300 ? `${clean.slice(0, 299)}…` : clean;
}

/** HTTP's Idempotency-Key, checked as a `mid` is, and never contradicting the body's `mid`. */
export function messageIdProblems(
  mid: string | undefined,
  idempotencyKey: string | undefined,
): PayloadProblem[] {
  if (idempotencyKey === undefined) return [];
  if (!MESSAGE_ID_PATTERN.test(idempotencyKey)) {
    return [
      {
        reason: "bad_shape",
        path: "",
        message: `Idempotency-Key: ${MESSAGE_ID_MESSAGE.replace(/^mid /, "")}`,
      },
    ];
  }
  if (mid !== undefined && mid !== idempotencyKey) {
    return [{ reason: "bad_shape", path: "mid", message: "mid differs from the Idempotency-Key header" }];
  }
  return [];
}

export class Intake {
  /** Owner of each device seen, for routing live hints (bounded: cleared past 100k devices). */
  private readonly owners = new Map<string, string>();

  private readonly clock = new ReceiveClock();

  /** The accepted counter per transport, bound once (labelling it per message cost a hash each). */
  private readonly accepted: Record<Transport, { inc(): void }>;

  constructor(private readonly deps: IntakeDeps) {
    const { accepted } = deps.metrics;
    this.accepted = {
      http: accepted.labels({ transport: "http" }),
      mqtt: accepted.labels({ transport: "mqtt" }),
    };
  }

  /** The time a message from `key` arrived: distinct per device (see receive-clock.ts). */
  receiveTime(key: string, now = Date.now()): Date {
    return this.clock.next(key, now);
  }

  /** The device a key belongs to (cached); rejects while the database is unavailable. */
  resolveKey(key: string): Promise<KnownDevice | null> {
    return this.deps.resolver.resolve(key);
  }

  ownerOf(deviceId: string): string | undefined {
    return this.owners.get(deviceId);
  }

  /**
   * Counts a refused message: in the metrics at once, in the log per device per interval, and
   * for a known device in its record for the owner (written per interval).
   */
  reject(
    transport: Transport,
    reason: DeviceRejectionReason | "unknown_key",
    deviceId: string | undefined,
    detail: string,
  ): void {
    const { metrics, rejections, store } = this.deps;
    const text = safeDetail(detail);
    metrics.rejected.inc({ transport, reason });
    rejections.add(deviceId, transport, reason, text);
    if (deviceId && reason !== "unknown_key") store?.add(deviceId, reason, text);
  }

  /**
   * Checks key, rate and body. `body` is the raw bytes (MQTT payload, HTTP body). Over the rate,
   * `overRate` says whether the message is refused or waits its turn. `idempotencyKey` is HTTP's
   * Idempotency-Key header: the message id when the body has no `mid` (or the same one).
   */
  async prepare(
    transport: Transport,
    key: string,
    body: Buffer | string,
    receivedAt: Date,
    overRate: OverRate = REFUSE,
    idempotencyKey?: string,
  ): Promise<Prepared | Refusal> {
    return this.prepareNow(transport, key, body, receivedAt, overRate, idempotencyKey);
  }

  /**
   * `prepare`, answered at once when nothing has to wait (the key's answer is cached and the
   * device is within its rate), otherwise as a promise: most messages cost no promise here.
   */
  prepareNow(
    transport: Transport,
    key: string,
    body: Buffer | string,
    receivedAt: Date,
    overRate: OverRate = REFUSE,
    idempotencyKey?: string,
  ): Prepared | Refusal | Promise<Prepared | Refusal> {
    const known = this.deps.resolver.cached(key);
    if (known === undefined)
      return this.resolveThenCheck(transport, key, body, receivedAt, overRate, idempotencyKey);
    return this.admitAndCheck(transport, known, body, receivedAt, overRate, idempotencyKey);
  }

  private async resolveThenCheck(
    transport: Transport,
    key: string,
    body: Buffer | string,
    receivedAt: Date,
    overRate: OverRate,
    idempotencyKey: string | undefined,
  ): Promise<Prepared | Refusal> {
    let device: KnownDevice | null;
    try {
      device = await this.deps.resolver.resolve(key);
    } catch (error) {
      if (error instanceof DatabaseUnavailableError) return { kind: "unavailable", retryAfterSeconds: 5 };
      throw error;
    }
    return this.admitAndCheck(transport, device, body, receivedAt, overRate, idempotencyKey);
  }

  /** The rate, then the body: a promise only while the message waits for its device's rate. */
  private admitAndCheck(
    transport: Transport,
    device: KnownDevice | null,
    body: Buffer | string,
    receivedAt: Date,
    overRate: OverRate,
    idempotencyKey: string | undefined,
  ): Prepared | Refusal | Promise<Prepared | Refusal> {
    if (!device) {
      this.reject(transport, "unknown_key", undefined, "unknown or malformed device key");
      return { kind: "unknown_key" };
    }
    const { limiter } = this.deps;
    const admission = limiter.admit(device.deviceId, overRate);
    switch (admission.kind) {
      case "refuse":
        this.reject(transport, "rate_limited", device.deviceId, "over the device's message rate");
        return { kind: "rate_limited", retryAfterSeconds: Math.ceil(admission.retryAfterMs / 1000) };
      case "wait": {
        this.deps.metrics.delayed.inc({ transport });
        const stopping = overRate.kind === "wait" ? overRate.isStopping : () => false;
        return waitUnlessStopping(admission.ms, stopping)
          .finally(() => limiter.waited(device.deviceId))
          .then((waited) =>
            waited
              ? this.checkBody(transport, device, body, receivedAt, idempotencyKey)
              : { kind: "unavailable", retryAfterSeconds: 5 },
          );
      }
      case "admit_past_bound":
        this.deps.metrics.admittedPastBound.inc({ transport });
        break;
    }
    return this.checkBody(transport, device, body, receivedAt, idempotencyKey);
  }

  /** The body's readings as rows of `device`, or why they are refused. */
  private checkBody(
    transport: Transport,
    device: KnownDevice,
    body: Buffer | string,
    receivedAt: Date,
    idempotencyKey: string | undefined,
  ): Prepared | Refusal {
    let json: unknown;
    try {
      json = JSON.parse(typeof body === "string" ? body : body.toString("utf8"));
    } catch {
      const problem = { reason: "bad_shape" as const, path: "", message: "the body is not valid JSON" };
      this.reject(transport, "invalid_json", device.deviceId, problem.message);
      return { kind: "invalid", reason: "invalid_json", problems: [problem] };
    }
    const days = this.deps.rawRetentionDays;
    const parsed = parseReadingsPayload(json, receivedAt, {
      oldest: { from: retentionStart(receivedAt, days), days },
    });
    const problems = parsed.ok ? messageIdProblems(parsed.mid, idempotencyKey) : parsed.problems;
    if (!parsed.ok || problems.length > 0) {
      const first = problems[0] as PayloadProblem;
      this.reject(transport, first.reason, device.deviceId, `${first.path || "body"}: ${first.message}`);
      return { kind: "invalid", reason: first.reason, problems };
    }
    const { deviceId } = device;
    if (!this.owners.has(deviceId)) {
      if (this.owners.size >= 100_000) this.owners.clear();
      this.owners.set(deviceId, device.ownerId);
    }
    const rows = parsed.readings.map((r) => ({
      deviceId,
      metric: r.metric,
      value: r.value,
      recordedAt: r.recordedAt,
    }));
    return { kind: "prepared", device, rows, mid: parsed.mid ?? idempotencyKey };
  }

  /** Writes the rows; resolves after commit. A refusal when the database or buffer cannot take them. */
  async store(transport: Transport, prepared: Prepared): Promise<Refusal | undefined> {
    try {
      await this.deps.writer.append(prepared.rows, prepared.mid);
      this.accepted[transport].inc();
      return undefined;
    } catch (error) {
      if (error instanceof DatabaseUnavailableError) return { kind: "unavailable", retryAfterSeconds: 5 };
      if (error instanceof BufferFullError) return { kind: "unavailable", retryAfterSeconds: 1 };
      if (error instanceof ShuttingDownError) return { kind: "unavailable", retryAfterSeconds: 5 };
      throw error;
    }
  }

  /**
   * For MQTT QoS 1: keeps trying until the message is committed or refused for good, waiting out
   * the device's rate (never refused for it: see rate-limit.ts), a database outage or a full
   * buffer (the device gets no PUBACK meanwhile). Returns the final refusal, if any;
   * `unavailable` only when the worker is shutting down. `maxWaiting` bounds how many of one
   * device's messages wait for its rate at once. `retrying`: an attempt has just failed
   * (storeDurablyThen's), so the first one here waits its back-off, and a message it already
   * prepared (key, rate and body checked, its token taken) is not prepared again.
   */
  async storeDurably(
    transport: Transport,
    key: string,
    body: Buffer,
    receivedAt: Date,
    isStopping: () => boolean,
    maxWaiting = Number.POSITIVE_INFINITY,
    retrying?: { prepared?: Prepared },
  ): Promise<Refusal | undefined> {
    const overRate: OverRate = { kind: "wait", maxWaiting, isStopping };
    let prepared: Prepared | Refusal | undefined = retrying?.prepared;
    for (let attempt = retrying ? 1 : 0; ; attempt++) {
      if (attempt > 0) {
        await new Promise((r) => setTimeout(r, Math.min(50 * 2 ** (attempt - 1), 1000)));
        await this.deps.writer.whenHealthy();
      }
      if (isStopping()) return { kind: "unavailable", retryAfterSeconds: 5 };
      // The receive time is fixed by the first attempt, so a retry writes the same rows.
      if (!prepared || prepared.kind === "unavailable")
        prepared = await this.prepare(transport, key, body, receivedAt, overRate);
      if (prepared.kind === "prepared") {
        const refusal = await this.store(transport, prepared);
        if (!refusal) return undefined;
        if (refusal.kind !== "unavailable") return refusal;
      } else if (prepared.kind !== "unavailable") {
        return prepared;
      }
    }
  }

  /**
   * storeDurably reporting through `done` (the built-in broker's QoS 1 path): a message whose key
   * is cached, within its device's rate, goes to the writer without a promise of its own; anything
   * that has to wait (a key lookup, the rate) or fails (an outage, a full buffer) continues as
   * storeDurably does. `done` is called once, later, with the final refusal or an error.
   */
  storeDurablyThen(
    transport: Transport,
    key: string,
    body: Buffer,
    receivedAt: Date,
    isStopping: () => boolean,
    done: (refusal: Refusal | undefined, error?: unknown) => void,
  ): void {
    const durably = (prepared?: Prepared) =>
      this.storeDurably(transport, key, body, receivedAt, isStopping, undefined, { prepared }).then(
        (refusal) => done(refusal),
        (error: unknown) => done(undefined, error),
      );
    const proceed = (prepared: Prepared | Refusal) => {
      if (prepared.kind === "unavailable") return void durably();
      if (prepared.kind !== "prepared") return done(prepared);
      this.deps.writer.appendThen(prepared.rows, prepared.mid, (error) => {
        if (!error) {
          this.accepted[transport].inc();
          return done(undefined);
        }
        // Appended again after the back-off, not prepared again (its token is taken).
        if (isRetryable(error)) return void durably(prepared);
        done(undefined, error);
      });
    };
    if (isStopping()) {
      queueMicrotask(() => done({ kind: "unavailable", retryAfterSeconds: 5 }));
      return;
    }
    let first: Prepared | Refusal | Promise<Prepared | Refusal>;
    try {
      first = this.prepareNow(transport, key, body, receivedAt, {
        kind: "wait",
        maxWaiting: Number.POSITIVE_INFINITY,
        isStopping,
      });
    } catch (error) {
      queueMicrotask(() => done(undefined, error));
      return;
    }
    if (first instanceof Promise) first.then(proceed, (error: unknown) => done(undefined, error));
    else if (first.kind === "prepared") proceed(first);
    // Refusals are told later, as a promise would: the caller's callback never runs inside this call.
    else queueMicrotask(() => proceed(first));
  }
}

/** Failures storeDurably waits out: the database down, the buffer full, the writer closing. */
function isRetryable(error: Error): boolean {
  return (
    error instanceof DatabaseUnavailableError ||
    error instanceof BufferFullError ||
    error instanceof ShuttingDownError
  );
}

/** Sleeps `ms`, checking `isStopping` every 200 ms; false when it turned true. */
async function waitUnlessStopping(ms: number, isStopping: () => boolean): Promise<boolean> {
  const until = Date.now() + ms;
  for (let left = ms; left > 0; left = until - Date.now()) {
    if (isStopping()) return false;
    await new Promise((r) => setTimeout(r, Math.min(left, 200)));
  }
  return !isStopping();
}
