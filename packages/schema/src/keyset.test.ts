import { describe, expect, it } from "vitest";
import { decodeKeyset, encodeKeyset, keysetPage } from "./keyset";

const ID = "0b9e3c9e-6f7a-4b8e-9d3c-2a1b0c9d8e7f";

describe("keyset cursors", () => {
  it("round-trips what a listing writes", () => {
    const key = { at: "2026-12-01T07:00:00.123456Z", id: ID };
    expect(decodeKeyset(encodeKeyset(key))).toEqual(key);
  });

  it("refuses anything a listing did not write", () => {
    const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
    expect(decodeKeyset("not base64 json")).toBeUndefined();
    expect(decodeKeyset(enc(["2026-12-01T07:00:00Z", ID]))).toBeUndefined(); // not microseconds
    expect(decodeKeyset(enc(["2026-13-45T07:00:00.000000Z", ID]))).toBeUndefined();
    expect(decodeKeyset(enc(["2026-02-30T07:00:00.000000Z", ID]))).toBeUndefined(); // rolls over
    expect(decodeKeyset(enc(["0000-01-01T00:00:00.000000Z", ID]))).toBeUndefined();
    expect(decodeKeyset(enc(["2026-12-01T07:00:00.000000Z", "1; drop table"]))).toBeUndefined();
    expect(decodeKeyset(enc(["2026-12-01T07:00:00.000000Z", ID, "extra"]))).toBeUndefined();
    expect(decodeKeyset(enc({ at: "2026-12-01T07:00:00.000000Z", id: ID }))).toBeUndefined();
  });
});

describe("keysetPage", () => {
  const rows = [1, 2, 3].map((n) => ({
    id: `${ID.slice(0, -1)}${n}`,
    keyAt: `2026-12-0${n}T00:00:00.000000Z`,
    n,
  }));

  it("gives the cursor after the last row kept when there was one more", () => {
    const { rows: page, next } = keysetPage(rows, 2);
    expect(page).toEqual([
      { id: rows[0]?.id, n: 1 },
      { id: rows[1]?.id, n: 2 },
    ]);
    expect(decodeKeyset(next ?? "")).toEqual({ at: rows[1]?.keyAt, id: rows[1]?.id });
  });

  it("gives no cursor on the last page, even a full one", () => {
    expect(keysetPage(rows, 3).next).toBeNull();
    expect(keysetPage([], 3)).toEqual({ rows: [], next: null });
  });
});
