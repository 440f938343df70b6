import { generate, type Packet, parser as packetParser } from "mqtt-packet";
import { describe, expect, it } from "vitest";
import { encodePublish, FrameReader, PACKET } from "./mqtt-frames";

/** What mqtt-packet (the codec of mqtt.js and Aedes) reads from `bytes`. */
function decode(bytes: Buffer): Packet[] {
  const packets: Packet[] = [];
  const p = packetParser({ protocolVersion: 4 });
  p.on("packet", (packet) => packets.push(packet));
  p.on("error", (error) => {
    throw error;
  });
  p.parse(bytes);
  return packets;
}

describe("encodePublish", () => {
  const topic = Buffer.from("devices/dk_ünïcode/readings");
  // Lengths around each boundary of the remaining-length encoding (1, 2, 3 bytes).
  it.each([0, 1, 90, 127, 200, 16_383, 16_384, 2_097_151, 2_097_152])(
    "writes what mqtt-packet reads back, QoS 0 and 1, a %i-character payload",
    (size) => {
      const payload = `{"t":"é${"x".repeat(Math.max(0, size - 8))}"}`.slice(0, Math.max(size, 0));
      for (const qos of [0, 1] as const) {
        const bytes = encodePublish(topic, payload, qos, 513);
        const [packet, ...rest] = decode(bytes);
        expect(rest).toEqual([]);
        expect(packet).toMatchObject({
          cmd: "publish",
          qos,
          dup: false,
          retain: false,
          topic: topic.toString(),
          ...(qos === 1 ? { messageId: 513 } : {}),
        });
        expect((packet as { payload: Buffer }).payload.toString()).toBe(payload);
        // The same bytes mqtt-packet's own encoder writes.
        expect(
          bytes.equals(
            generate({
              cmd: "publish",
              topic: topic.toString(),
              payload,
              qos,
              ...(qos === 1 ? { messageId: 513 } : {}),
              dup: false,
              retain: false,
            }),
          ),
        ).toBe(true);
      }
    },
  );
});

describe("FrameReader", () => {
  const stream = Buffer.concat([
    generate({ cmd: "connack", returnCode: 0, sessionPresent: false }),
    generate({ cmd: "puback", messageId: 1 }),
    generate({ cmd: "puback", messageId: 65_535 }),
    generate({ cmd: "pingresp" }),
    generate({ cmd: "puback", messageId: 300 }),
  ]);
  const expected = [
    [PACKET.connack, "0000"],
    [PACKET.puback, "0001"],
    [PACKET.puback, "ffff"],
    [13, ""],
    [PACKET.puback, "012c"],
  ];

  it("splits packets however the stream is cut: whole, byte by byte, at every point", () => {
    const cuts = [[stream], [...stream].map((b) => Buffer.from([b]))];
    for (let at = 1; at < stream.length; at++) cuts.push([stream.subarray(0, at), stream.subarray(at)]);
    for (const chunks of cuts) {
      const seen: [number, string][] = [];
      const reader = new FrameReader((type, body) => seen.push([type, body.toString("hex")]));
      for (const chunk of chunks) expect(reader.push(chunk)).toBe(true);
      expect(seen).toEqual(expected);
    }
  });

  it("refuses a length over four bytes and a packet longer than a broker sends a publisher", () => {
    const seen: number[] = [];
    const tooLong = new FrameReader((type) => seen.push(type));
    expect(tooLong.push(Buffer.from([0x40, 0x80, 0x80, 0x80, 0x80, 0x01]))).toBe(false);
    const tooBig = new FrameReader((type) => seen.push(type));
    expect(tooBig.push(Buffer.from([0x30, 0x80, 0x80, 0x05]))).toBe(false);
    // A short packet before the bad one is still delivered.
    const after = new FrameReader((type) => seen.push(type));
    expect(
      after.push(
        Buffer.concat([
          generate({ cmd: "puback", messageId: 7 }),
          Buffer.from([0x40, 0xff, 0xff, 0xff, 0xff]),
        ]),
      ),
    ).toBe(false);
    expect(seen).toEqual([PACKET.puback]);
  });
});
