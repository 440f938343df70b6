// Batch append: readings from every connection are gathered and written in one statement per
// flush (when enough rows wait, or a few tens of milliseconds after the first), through the pooled
// client, with a bounded number of flushes in flight. A message's rows always travel in one
// statement, so a message is stored whole or not at all; `append` resolves only after commit.
// The statement is `insertReadings` (packages/schema/src/queries/readings.ts); which messages go
// into a flush and how a failed one is split are the pure decisions in batching.ts.
import type { Logger } from "@pulseboard/runtime/logger";
import type { Database } from "@pulseboard/schema/client";
import { insertMessagesOnce, insertReadings, type ReadingRow } from "@pulseboard/schema/queries/readings";
import { batchCut, firstOfEachMessageId, splitPoisoned } from "./batching";
import {
  BufferFullError,
  DatabaseUnavailableError,
  isUnavailable,
  ShuttingDownError,
  sqlState,
} from "./errors";
import type { IngestMetrics } from "./metrics";

export type { ReadingRow };

/** Called once: with nothing after commit, or with why the rows were not written. */
export type AppendCallback = (error?: Error) => void;

interface Entry {
  rows: ReadingRow[];
  /** The message's id (`mid`, Idempotency-Key): stored once per device within the id's TTL. */
  mid: string | undefined;
  done: AppendCallback;
}

export interface WriterOptions {
  db: Database;
  log: Logger;
  metrics: IngestMetrics;
  maxRows: number;
  intervalMs: number;
  maxInFlight: number;
  maxBufferedRows: number;
  /** How long a message id is remembered (MESSAGE_ID_TTL_HOURS), in seconds. */
  messageIdTtlSeconds: number;
  /** Called after each commit with the rows it stored (for last-seen, live hints, evaluation). */
  onCommitted?: (rows: ReadingRow[]) => void;
  /**
   * A flush found no partition for a reading's day: make the days these rows need (throws when it
   * cannot). The flush is then tried once more; if it still fails, its messages are refused as
   * unavailable (not acknowledged: the sender retries), and the writer stays up.
   */
  onMissingPartition?: (rows: readonly ReadingRow[]) => Promise<void>;
}

export class ReadingWriter {
  private queue: Entry[] = [];
  private bufferedRows = 0;
  private inFlight = 0;
  private timer: NodeJS.Timeout | undefined;
  private healthy = true;
  private probeTimer: NodeJS.Timeout | undefined;
  private healthWaiters: (() => void)[] = [];
  private idleWaiters: (() => void)[] = [];
  private closed = false;

  constructor(private readonly options: WriterOptions) {}

  /** False while the database is known to be down (new appends fail fast). */
  get isHealthy(): boolean {
    return this.healthy;
  }

  get depth(): number {
    return this.bufferedRows;
  }

  /**
   * Resolves after the rows are committed (or, for a message id already stored, found to be);
   * rejects fast while the database is down or the buffer full.
   */
  append(rows: ReadingRow[], mid?: string): Promise<void> {
    return new Promise<void>((resolve, reject) =>
      this.appendThen(rows, mid, (error) => (error ? reject(error) : resolve())),
    );
  }

  /**
   * `append` reporting through a callback (called later, never before this returns): the
   * built-in broker's path, where a promise per message is a measurable share of the ingest.
   */
  appendThen(rows: ReadingRow[], mid: string | undefined, done: AppendCallback): void {
    const refusal = this.closed
      ? new ShuttingDownError()
      : !this.healthy
        ? new DatabaseUnavailableError()
        : this.bufferedRows + rows.length > this.options.maxBufferedRows
          ? new BufferFullError()
          : undefined;
    if (refusal) {
      queueMicrotask(() => done(refusal));
      return;
    }
    this.queue.push({ rows, mid, done });
    this.bufferedRows += rows.length;
    this.options.metrics.bufferRows.set(this.bufferedRows);
    this.schedule();
  }

  /** Resolves when the database is writable again. */
  whenHealthy(): Promise<void> {
    if (this.healthy || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.healthWaiters.push(resolve));
  }

  /** Stops intake of new appends, writes everything buffered, and waits for in-flight flushes. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.probeTimer);
    for (const wake of this.healthWaiters.splice(0)) wake();
    while (this.queue.length > 0 && this.healthy) {
      if (this.inFlight < this.options.maxInFlight) this.flush();
      await this.idle();
    }
    await this.idle();
    clearTimeout(this.timer);
    this.settle(this.queue.splice(0), new ShuttingDownError());
  }

  private idle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private schedule(): void {
    if (this.bufferedRows >= this.options.maxRows) {
      if (this.inFlight < this.options.maxInFlight) this.flush();
      return;
    }
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      // With every slot busy, the next flush to finish picks these rows up.
      if (this.queue.length > 0 && this.inFlight < this.options.maxInFlight) this.flush();
    }, this.options.intervalMs);
  }

  /** Takes whole entries up to maxRows (at least one) and writes them in one statement. */
  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const { messages, rows: rowCount } = batchCut(rowCounts(this.queue), this.options.maxRows);
    const batch = this.queue.splice(0, messages);
    this.bufferedRows -= rowCount;
    this.options.metrics.bufferRows.set(this.bufferedRows);
    this.inFlight++;
    void this.write(batch, rowCount).finally(() => {
      this.inFlight--;
      if (this.inFlight === 0) for (const wake of this.idleWaiters.splice(0)) wake();
      // Rows that arrived during this flush have waited long enough: write them now (group
      // commit). Waiting another interval here is what made the tail latency.
      if (this.queue.length > 0 && this.healthy && !this.closed) this.flush();
    });
  }

  /** Tells each entry its outcome; a callback that throws is logged, and the others still hear. */
  private settle(entries: Entry[], error?: Error): void {
    for (const entry of entries) {
      try {
        entry.done(error);
      } catch (thrown) {
        this.options.log.error({ err: thrown }, "an append callback threw");
      }
    }
  }

  private async write(batch: Entry[], rowCount: number): Promise<void> {
    const rows = batch.flatMap((e) => e.rows);
    const { metrics, log } = this.options;
    const started = performance.now();
    try {
      const written = await this.insertMakingPartitions(batch, rows);
      metrics.flushDuration.observe((performance.now() - started) / 1000);
      metrics.flushRows.observe(rowCount);
      metrics.rowsWritten.inc(written);
      this.settle(batch);
      this.options.onCommitted?.(rows);
    } catch (error) {
      if (error instanceof DatabaseUnavailableError) {
        // No partition could be made for its days: this batch waits, the writer stays up.
        this.settle(batch, error);
        return;
      }
      if (isUnavailable(error)) {
        metrics.flushFailures.inc({ kind: "unavailable" });
        this.markDown(error);
        const failure = new DatabaseUnavailableError({ cause: error });
        this.settle(batch, failure);
        return;
      }
      metrics.flushFailures.inc({ kind: "statement" });
      const alone = splitPoisoned(batch);
      if (!alone) {
        log.error({ err: error, rows: rowCount }, "a message could not be written");
        this.settle(batch.slice(0, 1), error instanceof Error ? error : new Error(String(error)));
        return;
      }
      // One message poisoned the statement: write each alone so the others still land.
      log.warn({ err: error, messages: batch.length }, "batch failed; writing its messages one by one");
      for (const single of alone) await this.write(single, single[0]?.rows.length ?? 0);
    }
  }

  private async insertMakingPartitions(batch: Entry[], rows: ReadingRow[]): Promise<number> {
    try {
      return await this.insertOrSkipDeleted(batch, rows);
    } catch (error) {
      if (!isMissingPartition(error) || !this.options.onMissingPartition) throw error;
      try {
        await this.options.onMissingPartition(rows);
        return await this.insertOrSkipDeleted(batch, rows);
      } catch (again) {
        if (!isMissingPartition(again) && !isUnavailable(again)) throw again;
        this.options.metrics.flushFailures.inc({ kind: "no_partition" });
        this.options.log.error(
          { err: again, rows: rows.length },
          "no partition for these readings' days; refused for now",
        );
        throw new DatabaseUnavailableError({ cause: again });
      }
    }
  }

  private async insertOrSkipDeleted(batch: Entry[], rows: ReadingRow[]): Promise<number> {
    // The statements store nothing for a device that no longer exists (deleted since its key was
    // checked, or known from a cached key). One deleted while the statement ran can still fail
    // its message-id claim's foreign key: once more, and that device is skipped.
    try {
      return await this.insert(batch, rows);
    } catch (error) {
      if (sqlState(error) === "23503") return this.insert(batch, rows);
      throw error;
    }
  }

  /** Without message ids, the plain insert; with any, the statement that stores each id once. */
  private async insert(batch: Entry[], rows: ReadingRow[]): Promise<number> {
    const { db, metrics, messageIdTtlSeconds } = this.options;
    if (batch.every((e) => e.mid === undefined)) return insertReadings(db, rows);
    const keep = firstOfEachMessageId(
      batch.map((e) => (e.mid === undefined ? undefined : `${e.rows[0]?.deviceId} ${e.mid}`)),
    );
    const messages = batch.filter((_, i) => keep[i]);
    const { inserted, duplicates } = await insertMessagesOnce(db, messages, messageIdTtlSeconds);
    metrics.duplicateMessages.inc(duplicates + batch.length - messages.length);
    return inserted;
  }

  private markDown(error: unknown): void {
    if (!this.healthy) return;
    this.healthy = false;
    this.options.log.error({ err: error }, "database unavailable: holding acknowledgements, probing");
    // Everything still queued would only fail the same way: fail it now, fast.
    const failure = new DatabaseUnavailableError({ cause: error });
    this.settle(this.queue.splice(0), failure);
    this.bufferedRows = 0;
    this.options.metrics.bufferRows.set(0);
    this.probe(250);
  }

  private probe(delayMs: number): void {
    if (this.closed) return;
    this.probeTimer = setTimeout(async () => {
      try {
        await this.options.db.$client`select 1`;
        this.healthy = true;
        this.options.log.info("database reachable again");
        for (const wake of this.healthWaiters.splice(0)) wake();
      } catch {
        this.probe(Math.min(delayMs * 2, 2000));
      }
    }, delayMs);
  }
}

/** 23514 with no partition: a reading whose day has no partition (a CHECK violation is also 23514). */
function isMissingPartition(error: unknown): boolean {
  return sqlState(error) === "23514" && /no partition of relation/.test((error as Error).message ?? "");
}

/** The waiting messages' row counts, oldest first, read only as far as the batch cut looks. */
function* rowCounts(queue: readonly Entry[]): Generator<number> {
  for (const entry of queue) yield entry.rows.length;
}
