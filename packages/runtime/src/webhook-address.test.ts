import { describe, expect, it } from "vitest";
import {
  type AddressClass,
  classifyAddress,
  isAllowedAddress,
  isAllowedWithoutLookup,
  literalAddress,
} from "./webhook-address";

// Each range by its first and last address, and the addresses just outside it.
const cases: Record<AddressClass, string[]> = {
  global: [
    "1.0.0.0",
    "8.8.8.8",
    "9.255.255.255",
    "11.0.0.0",
    "100.63.255.255",
    "100.128.0.0",
    "126.255.255.255",
    "128.0.0.0",
    "169.253.255.255",
    "169.255.0.0",
    "172.15.255.255",
    "172.32.0.0",
    "191.255.255.255",
    "192.0.1.0",
    "192.0.3.0",
    "192.167.255.255",
    "192.169.0.0",
    "198.17.255.255",
    "198.20.0.0",
    "198.51.99.255",
    "198.51.101.0",
    "203.0.112.255",
    "203.0.114.0",
    "223.255.255.255",
    "2000::",
    "2001:200::",
    "2001:4860:4860::8888",
    "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff",
    "2001:db9::",
    "2606:4700::1111",
    "3ffe:ffff::",
    "3fff:1000::",
    "3fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
    // Translated or tunnelled to a global IPv4 address.
    "::ffff:8.8.8.8",
    "::ffff:808:808",
    "64:ff9b::808:808",
    "2002:808:808::1",
  ],
  internal: [
    "10.0.0.0",
    "10.255.255.255",
    "100.64.0.0",
    "100.127.255.255",
    "127.0.0.0",
    "127.0.0.1",
    "127.255.255.255",
    "169.254.0.0",
    "169.254.169.253",
    "169.254.169.255",
    "169.254.255.255",
    "172.16.0.0",
    "172.31.255.255",
    "192.168.0.0",
    "192.168.255.255",
    "198.18.0.0",
    "198.19.255.255",
    "::1",
    "fc00::",
    "fd12:3456::1",
    "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
    "fe80::",
    "fe80::1%eth0",
    "febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
    "fec0::1",
    "64:ff9b:1::a00:1",
    // IPv4-mapped, NAT64 and 6to4 forms of internal IPv4 addresses.
    "::ffff:127.0.0.1",
    "::ffff:7f00:1",
    "0:0:0:0:0:ffff:7f00:1",
    "::ffff:10.1.2.3",
    "::ffff:192.168.1.1",
    "64:ff9b::127.0.0.1",
    "64:ff9b::a00:1",
    "64:ff9b::c0a8:101",
    "2002:7f00:1::",
    "2002:c0a8:101::1",
    "2002:a00:1:ffff:ffff:ffff:ffff:ffff",
  ],
  forbidden: [
    "0.0.0.0",
    "0.255.255.255",
    "169.254.169.254",
    "169.254.170.2",
    "100.100.100.200",
    "192.0.0.0",
    "192.0.0.255",
    "192.0.2.0",
    "192.0.2.255",
    "192.88.99.1",
    "198.51.100.0",
    "198.51.100.255",
    "203.0.113.0",
    "203.0.113.255",
    "224.0.0.0",
    "239.255.255.255",
    "240.0.0.0",
    "255.255.255.254",
    "255.255.255.255",
    "::",
    "::2",
    "::7f00:1",
    "::ffff:0.0.0.0",
    "::ffff:169.254.169.254",
    "::ffff:a9fe:a9fe",
    "64:ff9b::a9fe:a9fe",
    "64:ff9b::0.0.0.0",
    "2002:a9fe:a9fe::",
    "2002::",
    "100::",
    "100::ffff:ffff:ffff:ffff",
    "2001::",
    "2001:0:4136:e378:8000:63bf:3fff:fdd2",
    "2001:db8::",
    "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff",
    "2001:2::1",
    "2001:1ff:ffff::",
    "3fff::",
    "3fff:fff::",
    "5f00::1",
    "fd00:ec2::254",
    "ff00::",
    "ff02::1",
    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
    "4000::",
    "1fff:ffff::",
    "fe00::",
    // Not an IP address at all.
    "localhost",
    "",
    "127.1",
    "2130706433",
  ],
};

describe("classifyAddress", () => {
  for (const [cls, addresses] of Object.entries(cases)) {
    it(`classifies ${cls} addresses`, () => {
      expect(Object.fromEntries(addresses.map((a) => [a, classifyAddress(a)]))).toEqual(
        Object.fromEntries(addresses.map((a) => [a, cls])),
      );
    });
  }
});

describe("isAllowedAddress", () => {
  it("allows global unicast only, and internal addresses with WEBHOOK_ALLOW_PRIVATE", () => {
    expect(isAllowedAddress("8.8.8.8", false)).toBe(true);
    expect(isAllowedAddress("127.0.0.1", false)).toBe(false);
    expect(isAllowedAddress("127.0.0.1", true)).toBe(true);
    expect(isAllowedAddress("fd12::1", true)).toBe(true);
    // Never, whatever the setting: metadata and "this host".
    expect(isAllowedAddress("169.254.169.254", true)).toBe(false);
    expect(isAllowedAddress("0.0.0.0", true)).toBe(false);
    expect(isAllowedAddress("::", true)).toBe(false);
  });
});

describe("checks without a lookup (saving a URL)", () => {
  it("reads the IP literal WHATWG URL normalized from any spelling", () => {
    for (const url of [
      "http://2130706433:8080/",
      "http://0x7f.1/",
      "http://127.1/",
      "http://017700000001/",
    ]) {
      expect(literalAddress(new URL(url))).toBe("127.0.0.1");
    }
    expect(literalAddress(new URL("http://[::ffff:127.0.0.1]/"))).toBe("::ffff:7f00:1");
    expect(literalAddress(new URL("https://hooks.example.com/"))).toBeNull();
  });

  it("refuses disallowed literals and localhost names; leaves other hostnames for send time", () => {
    const refused = [
      "http://127.0.0.1:8080/x",
      "http://2130706433/",
      "http://[::ffff:127.0.0.1]/",
      "http://[::1]/",
      "http://169.254.169.254/latest/meta-data/",
      "http://localhost:3000/",
      "http://LOCALHOST./",
      "http://api.localhost/",
    ];
    for (const url of refused)
      expect({ url, ok: isAllowedWithoutLookup(new URL(url), false) }).toEqual({ url, ok: false });
    const accepted = ["https://hooks.example.com/x", "http://8.8.8.8/", "http://localhost.example.com/"];
    for (const url of accepted)
      expect({ url, ok: isAllowedWithoutLookup(new URL(url), false) }).toEqual({ url, ok: true });
    expect(isAllowedWithoutLookup(new URL("http://localhost:3000/"), true)).toBe(true);
    expect(isAllowedWithoutLookup(new URL("http://192.168.1.10/"), true)).toBe(true);
    expect(isAllowedWithoutLookup(new URL("http://169.254.169.254/"), true)).toBe(false);
  });
});
