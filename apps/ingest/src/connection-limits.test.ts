import { describe, expect, it } from "vitest";
import { addressKey, ConnectionsPerAddress } from "./connection-limits";

describe("connections per address", () => {
  it("admits up to the cap per address, then refuses until one closes", () => {
    const limits = new ConnectionsPerAddress(2);
    expect(limits.acquire("10.0.0.1")).toBe(true);
    expect(limits.acquire("10.0.0.1")).toBe(true);
    expect(limits.acquire("10.0.0.1")).toBe(false);
    // Another address has its own count.
    expect(limits.acquire("10.0.0.2")).toBe(true);
    limits.release("10.0.0.1");
    expect(limits.acquire("10.0.0.1")).toBe(true);
    expect(limits.count("10.0.0.1")).toBe(2);
  });

  it("counts an IPv4 client the same on a dual-stack socket", () => {
    const limits = new ConnectionsPerAddress(1);
    expect(limits.acquire("::ffff:192.0.2.7")).toBe(true);
    expect(limits.acquire("192.0.2.7")).toBe(false);
    expect(addressKey("::1")).toBe("::1");
  });

  it("forgets an address once its last connection closes", () => {
    const limits = new ConnectionsPerAddress(3);
    limits.acquire("a");
    limits.release("a");
    limits.release("a");
    expect(limits.count("a")).toBe(0);
    expect(limits.acquire("a")).toBe(true);
    expect(limits.count("a")).toBe(1);
  });
});
