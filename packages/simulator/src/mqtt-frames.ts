// The two halves of MQTT 3.1.1 framing the lean publisher needs per message, without a generic
// codec: a PUBLISH written into one buffer, and the broker's packets split from the byte stream
// (fixed header, remaining length, body), however TCP cut them.

/** Control packet types (the fixed header's high nibble) the publisher reads. */
export const PACKET = { connack: 2, puback: 4 } as const;

/** MQTT's largest remaining length (four length bytes). */
const MAX_REMAINING = 268_435_455;
/** The broker only ever sends the publisher short acknowledgements: anything longer is refused. */
const MAX_INCOMING = 64 * 1024;

/** A PUBLISH packet (no DUP, no RETAIN); `messageId` is written only for QoS 1. */
export function encodePublish(topic: Buffer, payload: string, qos: 0 | 1, messageId: number): Buffer {
  const payloadBytes = Buffer.byteLength(payload);
  const remaining = 2 + topic.length + (qos === 1 ? 2 : 0) + payloadBytes;
  if (remaining > MAX_REMAINING) throw new RangeError("an MQTT packet holds at most 256 MB");
  if (topic.length > 0xffff) throw new RangeError("an MQTT topic holds at most 65535 bytes");
  const lengthBytes = remaining < 128 ? 1 : remaining < 16_384 ? 2 : remaining < 2_097_152 ? 3 : 4;
  const packet = Buffer.allocUnsafe(1 + lengthBytes + remaining);
  packet[0] = 0x30 | (qos << 1);
  let at = 1;
  for (let rest = remaining; ; ) {
    const digit = rest % 128;
    rest = Math.floor(rest / 128);
    packet[at++] = rest > 0 ? digit | 0x80 : digit;
    if (rest === 0) break;
  }
  at = packet.writeUInt16BE(topic.length, at);
  at += topic.copy(packet, at);
  if (qos === 1) at = packet.writeUInt16BE(messageId, at);
  packet.write(payload, at, payloadBytes, "utf8");
  return packet;
}

/**
 * Splits a byte stream into packets: `onPacket(type, body)` per complete packet, `body` being
 * what follows the fixed header. `push` answers false for a stream that cannot be MQTT (a length
 * over four bytes, or a packet longer than a broker sends a publisher), after which the caller
 * drops the connection.
 */
export class FrameReader {
  private pending: Buffer | undefined;

  constructor(private readonly onPacket: (type: number, body: Buffer) => void) {}

  push(chunk: Buffer): boolean {
    const data = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = undefined;
    let at = 0;
    while (at < data.length) {
      let remaining = 0;
      let multiplier = 1;
      let cursor = at + 1;
      let complete = false;
      for (let i = 0; i < 4 && cursor < data.length; i++) {
        const byte = data[cursor++] as number;
        remaining += (byte & 0x7f) * multiplier;
        multiplier *= 128;
        if ((byte & 0x80) === 0) {
          complete = true;
          break;
        }
        if (i === 3) return false;
      }
      if (complete && remaining > MAX_INCOMING) return false;
      if (!complete || cursor + remaining > data.length) {
        // Copied: a kept slice would pin the whole chunk it came from.
        this.pending = Buffer.from(data.subarray(at));
        return true;
      }
      this.onPacket((data[at] as number) >> 4, data.subarray(cursor, cursor + remaining));
      at = cursor + remaining;
    }
    return true;
  }
}
