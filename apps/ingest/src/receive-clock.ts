// The time a reading without `ts` is stamped with. Readings are unique per (device, metric, time),
// so two messages from one device stamped with the same millisecond would collide and the second
// be skipped as a repeat, though acknowledged (and with a `mid`, its id claimed, so a resend is
// skipped too). Per source (the device key), each receive time is therefore at least 1 ms after
// the previous one: the wall clock, except within a burst faster than one message a millisecond.
export class ReceiveClock {
  private readonly last = new Map<string, number>();
  private pruneAt = 1024;

  /** The receive time for a message from `source` arriving at `now`. */
  next(source: string, now = Date.now()): Date {
    const previous = this.last.get(source);
    const at = previous !== undefined && previous >= now ? previous + 1 : now;
    this.last.set(source, at);
    // Only sources stamped at or after now matter; the rest go once the map has doubled.
    if (this.last.size >= this.pruneAt) {
      for (const [key, value] of this.last) if (value < now) this.last.delete(key);
      this.pruneAt = Math.max(1024, this.last.size * 2);
    }
    return new Date(at);
  }

  /** Sources remembered (for the test of its bound). */
  get size(): number {
    return this.last.size;
  }
}
