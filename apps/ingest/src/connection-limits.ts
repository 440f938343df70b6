// Concurrent connections per remote address on the built-in broker: anonymous CONNECT is part of
// the protocol (the key in the topic is the credential), so what one address can hold open before
// proving a key is bounded instead. Pure bookkeeping; the broker calls it on accept and close.

/** One address however it arrives: an IPv4 client on a dual-stack socket is `::ffff:a.b.c.d`. */
export function addressKey(remoteAddress: string | undefined): string {
  if (!remoteAddress) return "unknown";
  return remoteAddress.startsWith("::ffff:") ? remoteAddress.slice(7) : remoteAddress;
}

export class ConnectionsPerAddress {
  private readonly open = new Map<string, number>();

  constructor(private readonly max: number) {}

  /** Counts a new connection from `address`; false (and not counted) when it holds `max` already. */
  acquire(address: string | undefined): boolean {
    const key = addressKey(address);
    const count = this.open.get(key) ?? 0;
    if (count >= this.max) return false;
    this.open.set(key, count + 1);
    return true;
  }

  /** A connection counted by `acquire` has closed. */
  release(address: string | undefined): void {
    const key = addressKey(address);
    const count = this.open.get(key) ?? 0;
    if (count <= 1) this.open.delete(key);
    else this.open.set(key, count - 1);
  }

  /** Open connections from `address` (observable for tests). */
  count(address: string | undefined): number {
    return this.open.get(addressKey(address)) ?? 0;
  }
}
