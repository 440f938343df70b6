// Which addresses an owner's webhook may reach (SSRF guard, issue 12). An owner chooses the URL,
// so without this the alerter and the web app would POST into their own network: loopback, the
// LAN, a cloud metadata service. Pure: it classifies an address string; resolving and pinning
// the address is webhook.ts's job.
import { isIP } from "node:net";

/**
 * - `global`: a global unicast address; always allowed.
 * - `internal`: loopback, private, link-local, CGNAT, unique-local, benchmarking: refused unless
 *   WEBHOOK_ALLOW_PRIVATE=1 (a self-hoster's LAN receiver).
 * - `forbidden`: never a webhook receiver, even with WEBHOOK_ALLOW_PRIVATE: "this host"
 *   (0.0.0.0/8 and `::` reach local services), cloud metadata services (credentials), multicast
 *   and broadcast, documentation and reserved ranges, deprecated tunnels, unallocated IPv6.
 */
export type AddressClass = "global" | "internal" | "forbidden";

type V4Range = readonly [network: string, prefix: number, cls: AddressClass];
type V6Range = readonly [network: string, prefix: number, cls: AddressClass | "embedded-v4"];

// First match wins: the more specific ranges come first.
const V4_RANGES: readonly V4Range[] = [
  // Cloud metadata: AWS/GCP/Azure/Oracle, AWS ECS task metadata, Alibaba Cloud.
  ["169.254.169.254", 32, "forbidden"],
  ["169.254.170.2", 32, "forbidden"],
  ["100.100.100.200", 32, "forbidden"],
  ["0.0.0.0", 8, "forbidden"],
  ["10.0.0.0", 8, "internal"],
  ["100.64.0.0", 10, "internal"],
  ["127.0.0.0", 8, "internal"],
  ["169.254.0.0", 16, "internal"],
  ["172.16.0.0", 12, "internal"],
  ["192.0.0.0", 24, "forbidden"],
  ["192.0.2.0", 24, "forbidden"],
  ["192.88.99.0", 24, "forbidden"],
  ["192.168.0.0", 16, "internal"],
  ["198.18.0.0", 15, "internal"],
  ["198.51.100.0", 24, "forbidden"],
  ["203.0.113.0", 24, "forbidden"],
  ["224.0.0.0", 4, "forbidden"],
  // 240/4 reserved, with 255.255.255.255 (broadcast) in it.
  ["240.0.0.0", 4, "forbidden"],
];

// `embedded-v4`: the address carries an IPv4 address a translator or tunnel would reach; it is
// as allowed as that IPv4 address.
const V6_RANGES: readonly V6Range[] = [
  ["::", 128, "forbidden"],
  ["::1", 128, "internal"],
  ["::ffff:0:0", 96, "embedded-v4"],
  // IPv4-compatible (deprecated): nothing legitimate, refused.
  ["::", 96, "forbidden"],
  ["64:ff9b::", 96, "embedded-v4"],
  // Local-use NAT64 (RFC 8215): a translator inside the network.
  ["64:ff9b:1::", 48, "internal"],
  ["100::", 64, "forbidden"],
  // Teredo: deprecated; its client address is obfuscated and relays are anyone's. Refused.
  ["2001::", 32, "forbidden"],
  ["2001:db8::", 32, "forbidden"],
  // The rest of the IETF protocol assignments (benchmarking, ORCHID...).
  ["2001::", 23, "forbidden"],
  ["2002::", 16, "embedded-v4"],
  ["3fff::", 20, "forbidden"],
  ["2000::", 3, "global"],
  ["fd00:ec2::254", 128, "forbidden"],
  ["fc00::", 7, "internal"],
  ["fe80::", 10, "internal"],
  ["fec0::", 10, "internal"],
  ["ff00::", 8, "forbidden"],
  // Everything else is not allocated for unicast.
  ["::", 0, "forbidden"],
];

function parseV4(ip: string): number {
  return ip.split(".").reduce((n, part) => n * 256 + Number(part), 0);
}

/** A valid IPv6 address (already checked by isIP) as a 128-bit number. */
function parseV6(ip: string): bigint {
  let text = ip;
  const groups: number[] = [];
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1]) {
    const v4 = parseV4(dotted[1]);
    text = `${text.slice(0, dotted.index)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const [head = "", tail] = text.split("::");
  const headGroups = head === "" ? [] : head.split(":");
  const tailGroups = tail === undefined || tail === "" ? [] : tail.split(":");
  const zeros = 8 - headGroups.length - tailGroups.length;
  for (const g of headGroups) groups.push(Number.parseInt(g, 16));
  for (let i = 0; i < zeros; i++) groups.push(0);
  for (const g of tailGroups) groups.push(Number.parseInt(g, 16));
  return groups.reduce((n, g) => (n << 16n) | BigInt(g), 0n);
}

const inV4 = (ip: number, [network, prefix]: V4Range) =>
  prefix === 0 || ip >>> (32 - prefix) === parseV4(network) >>> (32 - prefix);

const inV6 = (ip: bigint, [network, prefix]: V6Range) =>
  ip >> BigInt(128 - prefix) === parseV6(network) >> BigInt(128 - prefix);

function classifyV4(ip: number): AddressClass {
  return V4_RANGES.find((range) => inV4(ip, range))?.[2] ?? "global";
}

function classifyV6(ip: bigint): AddressClass {
  const cls = V6_RANGES.find((range) => inV6(ip, range))?.[2] ?? "forbidden";
  if (cls !== "embedded-v4") return cls;
  // 6to4 carries the IPv4 address in bits 16-48; the others in the last 32 bits.
  const v4 = ip >> 112n === 0x2002n ? (ip >> 80n) & 0xffffffffn : ip & 0xffffffffn;
  return classifyV4(Number(v4));
}

/** Classifies an IP address (v4, or v6 with or without a zone); anything else is `forbidden`. */
export function classifyAddress(address: string): AddressClass {
  const ip = address.replace(/%.*$/, "");
  switch (isIP(ip)) {
    case 4:
      return classifyV4(parseV4(ip));
    case 6:
      return classifyV6(parseV6(ip));
    default:
      return "forbidden";
  }
}

/** Whether a webhook may connect to `address`; `allowPrivate` is WEBHOOK_ALLOW_PRIVATE. */
export function isAllowedAddress(address: string, allowPrivate: boolean): boolean {
  const cls = classifyAddress(address);
  return cls === "global" || (allowPrivate && cls === "internal");
}

/** A URL's host as an IP address (WHATWG URL has normalized `2130706433`, `0x7f.1`...), or null. */
export function literalAddress(url: URL): string | null {
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  return isIP(host) ? host : null;
}

/** `localhost` and `*.localhost` name loopback by definition (RFC 6761), whatever DNS says. */
export function isLocalhostName(hostname: string): boolean {
  return /(^|\.)localhost\.?$/i.test(hostname);
}

/**
 * What can be said of a webhook URL without resolving it (at save time): refused when its host
 * is a disallowed IP literal or a localhost name; a hostname is checked again when sending.
 */
export function isAllowedWithoutLookup(url: URL, allowPrivate: boolean): boolean {
  const literal = literalAddress(url);
  if (literal) return isAllowedAddress(literal, allowPrivate);
  return allowPrivate || !isLocalhostName(url.hostname);
}
