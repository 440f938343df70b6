import "server-only";
import { directUrl } from "@pulseboard/runtime/env";
import { createDirectClient, type SqlClient } from "@pulseboard/schema/client";
import {
  ALERTS_CHANNEL,
  type AlertTransition,
  COMMUNITY_CHANNEL,
  type CommunityHint,
  type LiveEvent,
  READINGS_CHANNEL,
  type ReadingsHint,
  type ThreadEvent,
} from "@pulseboard/schema/live";
import { alertEventsSince } from "@pulseboard/schema/queries/alert-events";
import { notifyReadings } from "@pulseboard/schema/queries/live";
import { env } from "@/env";
import { db } from "./db";
import { rootLog } from "./log";

// One LISTEN connection per server process, on the direct endpoint (LISTEN needs a session, which
// a transaction-mode pooler does not keep), fanned out to the signed-in owners' SSE streams.
// Notifications carry their owner (`o`); a stream only ever receives its own owner's events.
// postgres-js re-establishes a dropped LISTEN connection by itself and calls `onlisten` again:
// then alert events recorded meanwhile are re-read from the outbox, and every stream is told to
// resync (charts refetch), since reading hints are not stored. Community threads' readers (anyone,
// signed in or not) subscribe by thread: a reply's notification carries its thread and its id.

export type { LiveEvent, ThreadEvent };

type Listener = (event: LiveEvent) => void;
type ThreadListener = (event: ThreadEvent) => void;

const log = rootLog.child({ module: "live" });
/** How far back a reconnect looks for alert events it may have missed. */
const CATCH_UP_LIMIT_MS = 15 * 60_000;

class LiveHub {
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly threadListeners = new Map<string, Set<ThreadListener>>();
  private listenSql: SqlClient | undefined;
  private starting: Promise<void> | undefined;
  private listens = 0;
  /** Last moment the LISTEN connection was known to work (a notification or a LISTEN). */
  private healthyAt = Date.now();
  private watchdog: NodeJS.Timeout | undefined;
  private pendingPing: string | undefined;
  private checking = false;
  /** When the connection was last known good, while it is being re-established. */
  private lostSince: number | undefined;
  /** Alert event ids already fanned out (bounded), so a catch-up never repeats one. */
  private readonly sentEvents = new Set<string>();

  /** Adds a stream of this owner; resolves once the hub is listening. */
  subscribe(ownerId: string, listener: Listener): Promise<() => void> {
    return this.add(this.listeners, ownerId, listener);
  }

  /** Adds a reader of a community thread; resolves once the hub is listening. */
  subscribeThread(threadId: string, listener: ThreadListener): Promise<() => void> {
    return this.add(this.threadListeners, threadId, listener);
  }

  private async add<L>(map: Map<string, Set<L>>, key: string, listener: L): Promise<() => void> {
    const set = map.get(key) ?? new Set<L>();
    map.set(key, set);
    set.add(listener);
    const unsubscribe = () => {
      set.delete(listener);
      if (set.size === 0 && map.get(key) === set) map.delete(key);
    };
    try {
      await this.start();
    } catch (error) {
      unsubscribe();
      throw error;
    }
    return unsubscribe;
  }

  get streamCount(): number {
    let n = 0;
    for (const set of this.listeners.values()) n += set.size;
    for (const set of this.threadListeners.values()) n += set.size;
    return n;
  }

  private start(): Promise<void> {
    this.starting ??= this.listen().catch((error: unknown) => {
      this.starting = undefined;
      void this.listenSql?.end({ timeout: 1 }).catch(() => {});
      throw error;
    });
    return this.starting;
  }

  private async listen(): Promise<void> {
    this.listenSql = createDirectClient(directUrl(env), { applicationName: "pulseboard-web-listen" });
    this.listens = 0;
    await this.listenSql.listen(READINGS_CHANNEL, (payload) => this.onReadings(payload));
    await this.listenSql.listen(COMMUNITY_CHANNEL, (payload) => this.onCommunity(payload));
    // postgres-js re-LISTENs by itself after the connection drops and calls onlisten again.
    await this.listenSql.listen(
      ALERTS_CHANNEL,
      (payload) => this.onAlert(payload),
      () => {
        this.listens += 1;
        if (this.listens > 1) void this.catchUp(this.healthyAt);
        this.healthyAt = Date.now();
      },
    );
    this.watchdog ??= setInterval(() => void this.checkConnection(), env.LIVE_CHECK_SECONDS * 1000);
    this.watchdog.unref();
    log.info("listening for live events");
  }

  /**
   * While streams are open, a NOTIFY sent through the pooled endpoint must come back on the
   * LISTEN connection before the next check; if it did not, the connection is rebuilt and the
   * missed alert events are caught up. This covers failures postgres-js does not recover from
   * by itself (a re-LISTEN that failed while the database was down).
   */
  private async checkConnection() {
    if (this.streamCount === 0 || this.checking) return;
    this.checking = true;
    try {
      if (this.starting && !this.pendingPing) {
        this.pendingPing = `ping:${crypto.randomUUID()}`;
        // On the readings channel, through the pooled endpoint like every NOTIFY the hub receives.
        await notifyReadings(db, [this.pendingPing]).catch((error: unknown) =>
          log.warn({ err: error }, "could not send the live connection check"),
        );
        return;
      }
      // The last check's NOTIFY never came back, or the last reconnect failed: start over.
      this.lostSince ??= this.healthyAt;
      if (this.starting) {
        log.warn("live connection is not delivering notifications; reconnecting");
        const old = this.listenSql;
        this.starting = undefined;
        void old?.end({ timeout: 1 }).catch(() => {});
      }
      this.pendingPing = undefined;
      try {
        await this.start();
      } catch (error) {
        log.error({ err: error }, "could not re-establish the live connection; retrying at the next check");
        return;
      }
      const since = this.lostSince;
      this.lostSince = undefined;
      await this.catchUp(since);
    } finally {
      this.checking = false;
    }
  }

  private emit(ownerId: string, event: LiveEvent) {
    const set = this.listeners.get(ownerId);
    if (!set) return;
    for (const listener of set) listener(event);
  }

  private onReadings(payload: string) {
    this.healthyAt = Date.now();
    if (payload.startsWith("ping:")) {
      if (payload === this.pendingPing) this.pendingPing = undefined;
      return;
    }
    let hints: ReadingsHint[];
    try {
      hints = JSON.parse(payload);
    } catch {
      log.warn("ignored a malformed readings notification");
      return;
    }
    for (const h of hints) this.emit(h.o, { type: "reading", deviceId: h.d, metrics: h.m });
  }

  private onCommunity(payload: string) {
    this.healthyAt = Date.now();
    let hint: CommunityHint;
    try {
      hint = JSON.parse(payload);
    } catch {
      log.warn("ignored a malformed community notification");
      return;
    }
    const set = this.threadListeners.get(hint.t);
    if (!set) return;
    for (const listener of set) listener({ type: "reply", threadId: hint.t, replyId: hint.r });
  }

  private onAlert(payload: string) {
    this.healthyAt = Date.now();
    let t: AlertTransition;
    try {
      t = JSON.parse(payload);
    } catch {
      log.warn("ignored a malformed alert notification");
      return;
    }
    const { kind, alertId, eventId, ruleId, deviceId, value } = t;
    this.fanOutAlert(t.ownerId, { type: "alert", kind, alertId, eventId, ruleId, deviceId, value });
  }

  private fanOutAlert(ownerId: string, event: Extract<LiveEvent, { type: "alert" }>) {
    if (this.sentEvents.has(event.eventId)) return;
    this.sentEvents.add(event.eventId);
    if (this.sentEvents.size > 10_000) {
      const oldest = this.sentEvents.values().next().value;
      if (oldest !== undefined) this.sentEvents.delete(oldest);
    }
    const { type, kind, alertId, eventId, ruleId, deviceId, value } = event;
    this.emit(ownerId, { type, kind, alertId, eventId, ruleId, deviceId, value });
  }

  /** After a reconnect: alert events of connected owners recorded while we were not listening. */
  private async catchUp(since: number) {
    const owners = [...this.listeners.keys()];
    log.warn({ owners: owners.length }, "live connection re-established; catching up");
    for (const set of this.listeners.values()) for (const listener of set) listener({ type: "resync" });
    for (const set of this.threadListeners.values()) for (const listener of set) listener({ type: "resync" });
    if (owners.length === 0) return;
    const from = new Date(Math.max(since - 5_000, Date.now() - CATCH_UP_LIMIT_MS));
    try {
      for (const { ownerId, ...event } of await alertEventsSince(db, owners, from)) {
        this.fanOutAlert(ownerId, { type: "alert", ...event });
      }
    } catch (error) {
      log.error({ err: error }, "could not catch up on alert events");
    }
  }
}

const globalForLive = globalThis as unknown as { pulseboardLive?: LiveHub };
/** The process's hub (kept across development reloads). */
export const liveHub: LiveHub = globalForLive.pulseboardLive ?? new LiveHub();
globalForLive.pulseboardLive = liveHub;
