import { describe, expect, it } from "vitest";
import { notifyPayloads } from "./after-commit";

describe("live hints", () => {
  it("carry owner, device and metrics, packed under the NOTIFY size limit", () => {
    const many = new Map<string, Set<string>>();
    for (let i = 0; i < 300; i++)
      many.set(
        `00000000-0000-0000-0000-${String(i).padStart(12, "0")}`,
        new Set(["temperature", "humidity"]),
      );
    const payloads = notifyPayloads(many, () => "owner-1");
    expect(payloads.length).toBeGreaterThan(1);
    for (const p of payloads) expect(Buffer.byteLength(p)).toBeLessThan(8000);
    const items = payloads.flatMap((p) => JSON.parse(p) as { o: string; d: string; m: string[] }[]);
    expect(items).toHaveLength(300);
    expect(items[0]).toEqual({
      o: "owner-1",
      d: "00000000-0000-0000-0000-000000000000",
      m: ["temperature", "humidity"],
    });
  });

  it("skip devices whose owner is unknown", () => {
    expect(notifyPayloads(new Map([["d", new Set(["t"])]]), () => undefined)).toEqual([]);
  });
});
