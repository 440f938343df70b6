// A stream between a connection (TCP socket, WebSocket stream) and Aedes that reads each MQTT
// packet's fixed header as bytes arrive (scanFrames) and destroys the connection as soon as one
// announces more than the limit, so an oversized packet is never buffered. What Aedes writes in one
// turn of the event loop goes out in one write: a batch's commit releases many PUBACKs at once, and
// a connection's share of them then costs one system call instead of one each.
import { Duplex } from "node:stream";
import { FRAME_START, type FrameVerdict, scanFrames } from "./mqtt-frame";

export class FrameRefusedError extends Error {
  override name = "FrameRefusedError";
}

export function guardFrames(
  inner: Duplex,
  maxRemaining: number,
  onRefused: (verdict: Exclude<FrameVerdict, { ok: true }>) => void,
): Duplex {
  let state = FRAME_START;
  let corked = false;
  const uncork = () => {
    corked = false;
    inner.uncork();
  };
  const outer: Duplex = new Duplex({
    read() {
      inner.resume();
    },
    write(chunk: Buffer, encoding, done) {
      if (!corked) {
        corked = true;
        inner.cork();
        setImmediate(uncork);
      }
      // Acknowledge at once unless the connection pushes back (Aedes then waits for "drain").
      if (inner.write(chunk, encoding)) done();
      else inner.once("drain", () => done());
    },
    final(done) {
      inner.end(done);
    },
    destroy(error, done) {
      // What was written before the close goes first (a refusing CONNACK, say).
      if (corked) uncork();
      inner.destroy();
      done(error);
    },
  });
  inner.on("data", (chunk: Buffer) => {
    if (outer.destroyed) return;
    const verdict = scanFrames(state, chunk, maxRemaining);
    if (!verdict.ok) {
      onRefused(verdict);
      inner.destroy();
      outer.destroy(new FrameRefusedError(`MQTT packet refused: ${verdict.reason}`));
      return;
    }
    state = verdict.state;
    if (!outer.push(chunk)) inner.pause();
  });
  inner.on("end", () => outer.push(null));
  inner.on("error", (error) => outer.destroy(error));
  inner.on("close", () => outer.destroy());
  return outer;
}
