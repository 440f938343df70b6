// The client address the web app rate-limits by. It comes from the connection, and from a
// forwarded header only when the connection is one of our own proxies: a header a client wrote
// itself is never believed (a fresh spoofed X-Forwarded-For per request would dodge every limit).
// apps/web/server.ts computes it once per request into CLIENT_ADDRESS_HEADER, overwriting
// whatever a client sent under that name; Better Auth reads only that header.
import { BlockList, isIP } from "node:net";

/** Set by our server on every request; a client's own value is replaced. */
export const CLIENT_ADDRESS_HEADER = "x-pulseboard-client-address";

export interface ClientAddressPolicy {
  /** Our reverse proxies (TRUSTED_PROXIES): only their forwarded headers are read. */
  trustedProxies: BlockList;
  /**
   * A header the proxy sets to the client's address, overwriting any client value
   * (CLIENT_IP_HEADER, e.g. `x-real-ip`, `cf-connecting-ip`). Unset: the proxy's appended
   * X-Forwarded-For hop is used.
   */
  clientIpHeader?: string;
}

/** `::ffff:192.0.2.1` is the IPv4 client 192.0.2.1 on a dual-stack socket. */
function plainAddress(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped?.[1] ?? address;
}

function isTrusted(address: string, proxies: BlockList): boolean {
  const family = isIP(address);
  return family !== 0 && proxies.check(address, family === 6 ? "ipv6" : "ipv4");
}

/**
 * Parses TRUSTED_PROXIES entries (addresses or CIDR ranges); throws naming the first entry that is
 * neither, so a typo fails at boot instead of trusting nobody (or everybody).
 */
export function parseTrustedProxies(entries: string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address = "", prefix, ...rest] = entry.split("/");
    const plain = plainAddress(address);
    const family = isIP(plain);
    const maxBits = family === 6 ? 128 : 32;
    const bits = prefix === undefined ? maxBits : /^\d{1,3}$/.test(prefix) ? Number(prefix) : Number.NaN;
    if (family === 0 || rest.length > 0 || !(bits <= maxBits)) {
      throw new Error(`"${entry}" is not an IP address or CIDR range`);
    }
    list.addSubnet(plain, bits, family === 6 ? "ipv6" : "ipv4");
  }
  return list;
}

function headerValues(value: string | string[] | undefined): string[] {
  const joined = Array.isArray(value) ? value.join(",") : (value ?? "");
  return joined
    .split(",")
    .map((v) => v.trim())
    .filter(Boolean);
}

/**
 * The address of the client behind this connection, or undefined when the socket has none.
 * - A connection from outside TRUSTED_PROXIES: its own address (forwarded headers ignored).
 * - From a trusted proxy with CLIENT_IP_HEADER: that header's single address.
 * - From a trusted proxy otherwise: X-Forwarded-For walked from the right past our own proxies;
 *   the first address none of them is, is the one the outermost proxy saw. Anything left of it
 *   was written by the client and is ignored.
 * A trusted proxy that sent nothing usable leaves its own address (one bucket for what it sent,
 * which the proxy's configuration must fix; documented in the README).
 */
export function clientAddress(
  socketAddress: string | undefined,
  headers: Record<string, string | string[] | undefined>,
  policy: ClientAddressPolicy,
): string | undefined {
  if (!socketAddress) return undefined;
  const peer = plainAddress(socketAddress);
  if (!isTrusted(peer, policy.trustedProxies)) return peer;
  if (policy.clientIpHeader) {
    const [only, ...more] = headerValues(headers[policy.clientIpHeader.toLowerCase()]);
    return only && more.length === 0 && isIP(plainAddress(only)) ? plainAddress(only) : peer;
  }
  let nearest = peer;
  for (const hop of headerValues(headers["x-forwarded-for"]).reverse()) {
    const address = plainAddress(hop);
    if (!isIP(address)) return nearest;
    if (!isTrusted(address, policy.trustedProxies)) return address;
    nearest = address;
  }
  return nearest;
}
