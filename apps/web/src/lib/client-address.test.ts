import { describe, expect, it } from "vitest";
import { clientAddress, parseTrustedProxies } from "./client-address";

const none = { trustedProxies: parseTrustedProxies([]) };
const proxied = { trustedProxies: parseTrustedProxies(["10.0.0.0/24", "fd00::1"]) };

describe("clientAddress", () => {
  it("without trusted proxies, is the connection's address whatever the client forwards", () => {
    expect(clientAddress("203.0.113.7", { "x-forwarded-for": "198.51.100.1" }, none)).toBe("203.0.113.7");
    expect(clientAddress("::ffff:203.0.113.7", {}, none)).toBe("203.0.113.7");
    expect(clientAddress("2001:db8::5", { "x-real-ip": "1.2.3.4" }, none)).toBe("2001:db8::5");
    expect(clientAddress(undefined, {}, none)).toBeUndefined();
  });

  it("a connection from outside the trusted proxies is believed over its headers", () => {
    expect(clientAddress("203.0.113.7", { "x-forwarded-for": "10.0.0.9" }, proxied)).toBe("203.0.113.7");
  });

  it("behind a trusted proxy, the hop it appended; what the client wrote left of it is ignored", () => {
    // The client sent X-Forwarded-For: 198.51.100.1; the proxy appended what it saw.
    expect(clientAddress("10.0.0.2", { "x-forwarded-for": "198.51.100.1, 203.0.113.7" }, proxied)).toBe(
      "203.0.113.7",
    );
    // Two of our proxies in a row; header given twice.
    expect(
      clientAddress("10.0.0.2", { "x-forwarded-for": ["1.1.1.1, 203.0.113.7", "10.0.0.3"] }, proxied),
    ).toBe("203.0.113.7");
    expect(clientAddress("::ffff:10.0.0.2", { "x-forwarded-for": "2001:db8::9" }, proxied)).toBe(
      "2001:db8::9",
    );
    expect(clientAddress("fd00::1", { "x-forwarded-for": "203.0.113.8" }, proxied)).toBe("203.0.113.8");
  });

  it("a trusted proxy that forwarded nothing usable leaves the nearest address it vouches for", () => {
    expect(clientAddress("10.0.0.2", {}, proxied)).toBe("10.0.0.2");
    expect(clientAddress("10.0.0.2", { "x-forwarded-for": "10.0.0.5" }, proxied)).toBe("10.0.0.5");
    expect(clientAddress("10.0.0.2", { "x-forwarded-for": "203.0.113.7, not-an-ip" }, proxied)).toBe(
      "10.0.0.2",
    );
  });

  it("with CLIENT_IP_HEADER, the proxy's header alone, and only from a trusted proxy", () => {
    const policy = { ...proxied, clientIpHeader: "X-Real-IP" };
    const headers = { "x-real-ip": "203.0.113.7", "x-forwarded-for": "198.51.100.1" };
    expect(clientAddress("10.0.0.2", headers, policy)).toBe("203.0.113.7");
    expect(clientAddress("198.51.100.50", headers, policy)).toBe("198.51.100.50");
    expect(clientAddress("10.0.0.2", { "x-real-ip": "1.1.1.1, 2.2.2.2" }, policy)).toBe("10.0.0.2");
    expect(clientAddress("10.0.0.2", { "x-real-ip": "junk" }, policy)).toBe("10.0.0.2");
  });
});

describe("parseTrustedProxies", () => {
  it("takes addresses and ranges of both families", () => {
    const list = parseTrustedProxies(["127.0.0.1", "10.1.0.0/16", "::1", "fd00::/8"]);
    expect(list.check("10.1.200.3", "ipv4")).toBe(true);
    expect(list.check("10.2.0.1", "ipv4")).toBe(false);
    expect(list.check("fd12::1", "ipv6")).toBe(true);
  });

  it("refuses what is neither, naming it", () => {
    for (const bad of ["10.0.0.0/33", "proxy.local", "10.0.0.1/8/1", "::1/129", "10.0.0.0/"]) {
      expect(() => parseTrustedProxies([bad]), bad).toThrow(`"${bad}" is not an IP address or CIDR range`);
    }
  });
});
