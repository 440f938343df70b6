// Guards a connection (TCP socket, WebSocket stream) before Aedes handles it. Each MQTT packet's
// fixed header is read on the bytes Aedes takes from the connection (scanFrames), and the
// connection is destroyed as soon as one announces more than the limit, so an oversized packet is
// never buffered. What Aedes writes in one turn of the event loop goes out in one write: a batch's
// commit releases many PUBACKs at once, and a connection's share of them then costs one system call
// and one write of the stream instead of three each.
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

  // A turn's buffers are gathered here and handed to the connection as one buffer: a PUBACK is
  // three writes of a byte or two (mqtt-packet), and the stream's machinery per write, even
  // corked, cost more than the bytes. Anything else (a string, a callback) goes through as is,
  // after what is gathered.
  const write = conn.write;
  let gathered: Buffer[] = [];
  let gatheredBytes = 0;
  const send = () => {
    if (gathered.length === 0) return;
    const chunk = gathered.length === 1 ? (gathered[0] as Buffer) : Buffer.concat(gathered, gatheredBytes);
    gathered = [];
    gatheredBytes = 0;
    if (!conn.destroyed) (write as (chunk: Buffer) => boolean).call(conn, chunk);
  };
  conn.write = ((...args: Parameters<Duplex["write"]>) => {
    const [chunk, encoding, callback] = args;
    if (!Buffer.isBuffer(chunk) || encoding !== undefined || callback !== undefined || conn.destroyed) {
      send();
      return write.apply(conn, args);
    }
    if (gathered.length === 0) setImmediate(send);
    gathered.push(chunk);
    gatheredBytes += chunk.length;
    // Backpressure as the connection reports it now (what is gathered is a few bytes).
    return !conn.writableNeedDrain;
  }) as Duplex["write"];
  const end = conn.end;
  conn.end = ((...args: Parameters<Duplex["end"]>) => {
    send();
    return end.apply(conn, args);
  }) as Duplex["end"];
  const destroy = conn.destroy;
  conn.destroy = (error?: Error) => {
    // What was written before the close goes first (a refusing CONNACK, say).
    send();
    return destroy.call(conn, error);
  };
  return conn;
}
