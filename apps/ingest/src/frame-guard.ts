// Guards a connection (TCP socket, WebSocket stream) before Aedes handles it. Each MQTT packet's
// fixed header is read on the bytes Aedes takes from the connection (scanFrames), and the
// connection is destroyed as soon as one announces more than the limit, so an oversized packet is
// never buffered. What Aedes writes in one turn of the event loop goes out in one write: a batch's
// commit releases many PUBACKs at once, and a connection's share of them then costs one system call
// instead of one each.
//
// The connection's own `read`, `write` and `destroy` are wrapped rather than the connection piped
// through a second stream: Aedes pulls with `read(null)` on "readable" and pushes with `write`, and
// a Duplex in between cost a tenth of the ingest thread under load (CPU profile of the ingest bench).
import type { Duplex } from "node:stream";
import { FRAME_START, type FrameVerdict, scanFrames } from "./mqtt-frame";

export class FrameRefusedError extends Error {
  override name = "FrameRefusedError";
}

export function guardFrames(
  conn: Duplex,
  maxRemaining: number,
  onRefused: (verdict: Exclude<FrameVerdict, { ok: true }>) => void,
): Duplex {
  let state = FRAME_START;
  const read = conn.read;
  conn.read = (size?: number) => {
    const chunk: Buffer | null = read.call(conn, size);
    if (chunk === null || conn.destroyed) return chunk;
    const verdict = scanFrames(state, chunk, maxRemaining);
    if (!verdict.ok) {
      onRefused(verdict);
      conn.destroy(new FrameRefusedError(`MQTT packet refused: ${verdict.reason}`));
      return null;
    }
    state = verdict.state;
    return chunk;
  };

  let corked = false;
  const uncork = () => {
    if (!corked) return;
    corked = false;
    conn.uncork();
  };
  const write = conn.write;
  conn.write = ((...args: Parameters<Duplex["write"]>) => {
    if (!corked && !conn.destroyed) {
      corked = true;
      conn.cork();
      setImmediate(uncork);
    }
    return write.apply(conn, args);
  }) as Duplex["write"];
  const destroy = conn.destroy;
  conn.destroy = (error?: Error) => {
    // What was written before the close goes first (a refusing CONNACK, say).
    uncork();
    return destroy.call(conn, error);
  };
  return conn;
}
