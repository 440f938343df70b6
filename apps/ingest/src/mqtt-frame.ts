// The MQTT fixed header, read on the bytes a connection sends before the broker parses them:
// Aedes 1.2.0 has no packet size option and buffers a packet whole, whatever its announced
// length, so the ingest reads each packet's "remaining length" itself and refuses one that is too
// long before its body arrives. Pure: the caller keeps the state between chunks.

/**
 * Room for what a PUBLISH carries besides its payload: topic length (2 bytes), the topic
 * (`devices/<device_key>/readings` is 52 bytes) and the packet id (2 bytes). A CONNECT (client id,
 * username, password, will) fits in it too unless its will is as large as a reading.
 */
export const PACKET_OVERHEAD_ALLOWANCE = 512;

/** The largest remaining length accepted: a payload of `maxBodyBytes` plus the allowance. */
export function maxRemainingLength(maxBodyBytes: number): number {
  return maxBodyBytes + PACKET_OVERHEAD_ALLOWANCE;
}

/**
 * Where the scan is: inside a packet's body (`skip` bytes of it still to come), or reading a fixed
 * header (`header` holds its bytes so far, the type byte first).
 */
export interface FrameState {
  readonly skip: number;
  readonly header: readonly number[];
}

export const FRAME_START: FrameState = { skip: 0, header: [] };

export type FrameVerdict =
  | { ok: true; state: FrameState }
  | { ok: false; reason: "too_large"; remainingLength: number }
  | { ok: false; reason: "malformed" };

/**
 * Scans `chunk`, the next bytes of the stream, from `state`. Refuses as soon as a fixed header
 * announces more than `maxRemaining` bytes (its body is never waited for), or a remaining-length
 * field runs past the 4 bytes MQTT allows.
 */
export function scanFrames(state: FrameState, chunk: Uint8Array, maxRemaining: number): FrameVerdict {
  let skip = state.skip;
  let header = [...state.header];
  let i = 0;
  while (i < chunk.length) {
    if (skip > 0) {
      const take = Math.min(skip, chunk.length - i);
      skip -= take;
      i += take;
      continue;
    }
    header.push(chunk[i] as number);
    i++;
    if (header.length < 2) continue;
    // Remaining length: 7 bits per byte, least significant first; the high bit says "more".
    let value = 0;
    let multiplier = 1;
    let complete = false;
    for (let k = 1; k < header.length; k++) {
      const byte = header[k] as number;
      value += (byte & 0x7f) * multiplier;
      multiplier *= 128;
      if ((byte & 0x80) === 0) {
        complete = true;
        break;
      }
    }
    // Refused even before the field ends: the bytes so far already announce too much.
    if (value > maxRemaining) return { ok: false, reason: "too_large", remainingLength: value };
    if (!complete) {
      if (header.length === 5) return { ok: false, reason: "malformed" };
      continue;
    }
    skip = value;
    header = [];
  }
  return { ok: true, state: { skip, header } };
}
