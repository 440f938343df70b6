import type { NetworkInterfaceInfo } from "node:os";

/**
 * The origins a browser may use to reach a web app served on this machine's `port`: the loopback
 * names and every address of this machine (what `next start` prints as "Network"). Link-local
 * IPv6 addresses need a zone, which a URL cannot carry, so they are left out.
 */
export function localOrigins(
  port: number,
  interfaces: Record<string, NetworkInterfaceInfo[] | undefined>,
): string[] {
  const hosts = new Set(["localhost", "127.0.0.1", "[::1]"]);
  for (const addresses of Object.values(interfaces)) {
    for (const address of addresses ?? []) {
      if (address.family === "IPv4") hosts.add(address.address);
      else if (address.scopeid === 0 || address.scopeid === undefined) hosts.add(`[${address.address}]`);
    }
  }
  return [...hosts].map((host) => `http://${host}:${port}`);
}
