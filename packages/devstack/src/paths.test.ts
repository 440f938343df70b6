import { describe, expect, it } from "vitest";
import { defaultDataDir, PG_HOME } from "./paths";

describe("defaultDataDir", () => {
  it("is .data in the checkout for an ordinary user", () => {
    expect(defaultDataDir({ root: "/home/ann/pulseboard/", uid: 1000 })).toBe("/home/ann/pulseboard/.data");
  });

  it("is a folder of the checkout's own under PG_HOME for root, where postgres can reach it", () => {
    const dir = defaultDataDir({ root: "/root/pulseboard", uid: 0 });
    expect(dir.startsWith(`${PG_HOME}/pulseboard-`)).toBe(true);
    expect(dir).toMatch(/-[0-9a-f]{10}$/);
    // The same checkout always gets the same folder; a trailing slash changes nothing.
    expect(defaultDataDir({ root: "/root/pulseboard/", uid: 0 })).toBe(dir);
  });

  it("never gives two checkouts the same folder, even with the same name", () => {
    const a = defaultDataDir({ root: "/root/pulseboard", uid: 0 });
    const b = defaultDataDir({ root: "/tmp/tmp.x1/pulseboard", uid: 0 });
    expect(a).not.toBe(b);
  });

  it("keeps odd characters of a folder name out of the path", () => {
    expect(defaultDataDir({ root: "/root/my board (2)", uid: 0 })).toMatch(
      new RegExp(`^${PG_HOME}/my_board__2_-[0-9a-f]{10}$`),
    );
  });
});
