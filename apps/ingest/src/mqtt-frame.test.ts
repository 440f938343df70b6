import { describe, expect, it } from "vitest";
import { FRAME_START, type FrameState, maxRemainingLength, scanFrames } from "./mqtt-frame";

/** A fixed header for a packet type byte and a remaining length (MQTT's variable-length field). */
function fixedHeader(type: number, remaining: number): number[] {
  const bytes = [type];
  let n = remaining;
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    bytes.push(byte);
  } while (n > 0);
  return bytes;
}

function packet(type: number, bodyLength: number): Uint8Array {
  return Uint8Array.from([...fixedHeader(type, bodyLength), ...new Array(bodyLength).fill(0x61)]);
}

function scanAll(chunks: Uint8Array[], max: number) {
  let state: FrameState = FRAME_START;
  for (const chunk of chunks) {
    const verdict = scanFrames(state, chunk, max);
    if (!verdict.ok) return verdict;
    state = verdict.state;
  }
  return { ok: true as const, state };
}

describe("scanFrames", () => {
  it("passes packets up to the limit, several in one chunk, and ends between packets", () => {
    const chunk = Uint8Array.from([...packet(0x30, 100), ...packet(0xc0, 0), ...packet(0x32, 200)]);
    expect(scanAll([chunk], 200)).toEqual({ ok: true, state: FRAME_START });
  });

  it("refuses a header announcing more than the limit, before any of its body", () => {
    expect(scanAll([Uint8Array.from(fixedHeader(0x30, 201))], 200)).toEqual({
      ok: false,
      reason: "too_large",
      remainingLength: 201,
    });
    // 64 MiB announced: refused on the header alone.
    expect(scanAll([Uint8Array.from(fixedHeader(0x30, 64 * 1024 * 1024))], 1_048_576)).toMatchObject({
      ok: false,
      reason: "too_large",
    });
  });

  it("follows packets split anywhere across chunks, the length field included", () => {
    const bytes = Uint8Array.from([...packet(0x30, 300), ...packet(0x30, 5000), ...fixedHeader(0x30, 5001)]);
    // Every split point of the first 320 bytes, then byte by byte around the second header.
    for (const at of [1, 2, 3, 150, 302, 303, 304, 305]) {
      const verdict = scanAll([bytes.subarray(0, at), bytes.subarray(at)], 5000);
      expect(verdict, `split at ${at}`).toEqual({ ok: false, reason: "too_large", remainingLength: 5001 });
    }
    const oneByOne = Array.from(bytes.subarray(0, 5306), (b) => Uint8Array.of(b));
    expect(scanAll(oneByOne, 5000)).toEqual({ ok: true, state: FRAME_START });
  });

  it("keeps its place inside a body and in a partial header", () => {
    const first = scanFrames(FRAME_START, Uint8Array.from([0x30, 0x90]), 10_000);
    expect(first).toEqual({ ok: true, state: { skip: 0, header: [0x30, 0x90] } });
    if (!first.ok) return;
    // 0x90 0x03 = 16 + 3 * 128 = 400; 10 bytes of the body arrive.
    const second = scanFrames(first.state, Uint8Array.from([0x03, ...new Array(10).fill(0)]), 10_000);
    expect(second).toEqual({ ok: true, state: { skip: 390, header: [] } });
  });

  it("refuses a remaining length longer than four bytes", () => {
    expect(scanAll([Uint8Array.from([0x30, 0x80, 0x80, 0x80, 0x80, 0x01])], Number.MAX_SAFE_INTEGER)).toEqual(
      {
        ok: false,
        reason: "malformed",
      },
    );
  });

  it("allows a body of the limit plus room for topic and packet id", () => {
    expect(maxRemainingLength(1_048_576)).toBe(1_048_576 + 512);
  });
});
