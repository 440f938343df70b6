// The writer's decisions, pure: which waiting messages go into the next flush, and what to do
// when a flush's statement fails.

/**
 * How many of the waiting messages (their row counts, oldest first) the next flush takes: whole
 * messages, oldest first, as many as fit in `maxRows` rows, and always at least one (a message is
 * never split, even one larger than `maxRows`).
 */
export function batchCut(rowCounts: Iterable<number>, maxRows: number): { messages: number; rows: number } {
  let messages = 0;
  let rows = 0;
  for (const count of rowCounts) {
    if (messages > 0 && rows + count > maxRows) break;
    messages++;
    rows += count;
  }
  return { messages, rows };
}

/**
 * A batch whose statement failed (not for an outage): one message may have poisoned it, so each
 * message is written alone and the others still land. A batch of one has nothing to split:
 * undefined, that message fails.
 */
export function splitPoisoned<T>(batch: readonly T[]): T[][] | undefined {
  if (batch.length <= 1) return undefined;
  return batch.map((entry) => [entry]);
}

/**
 * Which of a flush's messages to write, given each one's (device, message id) key or undefined
 * for a message without an id: a key seen earlier in the same flush is the same message delivered
 * twice, stored by its first copy (and one statement cannot claim a key twice).
 */
export function firstOfEachMessageId(keys: readonly (string | undefined)[]): boolean[] {
  const seen = new Set<string>();
  return keys.map((key) => {
    if (key === undefined) return true;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
