import type { NetworkInterfaceInfo } from "node:os";
import { describe, expect, it } from "vitest";
import { localOrigins } from "./local-origins";

const v4 = (address: string, internal = false): NetworkInterfaceInfo => ({
  address,
  family: "IPv4",
  internal,
  netmask: "255.255.255.0",
  mac: "00:00:00:00:00:00",
  cidr: null,
});
const v6 = (address: string, scopeid: number, internal = false): NetworkInterfaceInfo => ({
  address,
  family: "IPv6",
  internal,
  netmask: "ffff:ffff:ffff:ffff::",
  mac: "00:00:00:00:00:00",
  cidr: null,
  scopeid,
});

describe("localOrigins", () => {
  it("trusts the loopback names and this machine's addresses on the web port, once each", () => {
    const origins = localOrigins(3000, {
      lo: [v4("127.0.0.1", true), v6("::1", 0, true)],
      eth0: [v4("10.0.3.7"), v6("2001:db8::7", 0), v6("fe80::1", 2)],
    });
    expect(origins).toEqual([
      "http://localhost:3000",
      "http://127.0.0.1:3000",
      "http://[::1]:3000",
      "http://10.0.3.7:3000",
      "http://[2001:db8::7]:3000",
    ]);
    // Every one is a valid origin as the browser sends it.
    for (const origin of origins) expect(new URL(origin).origin).toBe(origin);
  });

  it("with no network at all, still the loopback names", () => {
    expect(localOrigins(8080, {})).toEqual([
      "http://localhost:8080",
      "http://127.0.0.1:8080",
      "http://[::1]:8080",
    ]);
  });
});
