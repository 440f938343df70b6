import { Duplex } from "node:stream";
import { describe, expect, it } from "vitest";
import { guardFrames } from "./frame-guard";

/** A connection stand-in that records each write it is handed: one entry per call, its chunks. */
function recordingConnection() {
  const writes: number[][] = [];
  const inner = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, done) {
      writes.push([...chunk]);
      done();
    },
    writev(chunks, done) {
      writes.push(chunks.flatMap(({ chunk }) => [...(chunk as Buffer)]));
      done();
    },
  });
  return { inner, writes };
}

const puback = (id: number) => Buffer.from([0x40, 0x02, 0x00, id]);
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe("guardFrames' reads", () => {
  it("hands over packets within the limit and refuses a header announcing more, before its body", () => {
    const { inner } = recordingConnection();
    const refused: unknown[] = [];
    const conn = guardFrames(inner, 1024, (verdict) => refused.push(verdict));
    const errors: Error[] = [];
    conn.on("error", (error) => errors.push(error));
    inner.push(puback(1));
    expect(conn.read()).toEqual(puback(1));
    // A PUBLISH announcing 2,000 bytes: its first two bytes are enough.
    inner.push(Buffer.from([0x30, 0xd0, 0x0f]));
    expect(conn.read()).toBeNull();
    expect(refused).toEqual([{ ok: false, reason: "too_large", remainingLength: 2000 }]);
    expect(conn.destroyed).toBe(true);
    return nextTurn().then(() => expect(errors.map((e) => e.name)).toEqual(["FrameRefusedError"]));
  });
});

describe("guardFrames' writes", () => {
  it("sends what is written in one turn of the event loop as one write", async () => {
    const { inner, writes } = recordingConnection();
    const outer = guardFrames(inner, 1024, () => {});
    expect(outer).toBe(inner);
    for (const id of [1, 2, 3]) outer.write(puback(id));
    expect(writes).toEqual([]);
    await nextTurn();
    expect(writes).toEqual([[...puback(1), ...puback(2), ...puback(3)]]);
    // The next turn's writes are a write of their own.
    outer.write(puback(4));
    await nextTurn();
    expect(writes).toHaveLength(2);
    expect(writes[1]).toEqual([...puback(4)]);
  });

  it("keeps the order when a write cannot wait (a string, a callback) and sends the rest at end()", async () => {
    const { inner, writes } = recordingConnection();
    const outer = guardFrames(inner, 1024, () => {});
    outer.write(puback(1));
    let called = false;
    outer.write(puback(2), () => {
      called = true;
    });
    outer.write(puback(3));
    outer.end();
    await nextTurn();
    expect(writes.flat()).toEqual([...puback(1), ...puback(2), ...puback(3)]);
    expect(called).toBe(true);
  });

  it("sends what was written before a close (a refusing CONNACK) before closing", () => {
    const { inner, writes } = recordingConnection();
    const outer = guardFrames(inner, 1024, () => {});
    const connackRefused = Buffer.from([0x20, 0x02, 0x00, 0x05]);
    outer.write(connackRefused);
    outer.destroy();
    expect(writes).toEqual([[...connackRefused]]);
    expect(inner.destroyed).toBe(true);
  });
});
