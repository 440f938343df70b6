import "server-only";
import { env } from "@/env";

/**
 * A server-sent events response: `subscribe` registers the stream's listener (handed a `send`
 * for one event) and returns its unsubscribe; a comment every LIVE_HEARTBEAT_SECONDS keeps
 * proxies from closing an idle stream; the client is told to reconnect after 3 s. When the
 * subscription fails, one `error` event and the end of the stream.
 */
export function sseResponse<E extends { type: string }>(
  request: Request,
  subscribe: (send: (event: E) => void) => Promise<() => void>,
): Response {
  const encoder = new TextEncoder();
  let cleanup = () => {};
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      const send = (text: string) => {
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          cleanup();
        }
      };
      let unsubscribe: () => void;
      try {
        unsubscribe = await subscribe((event) =>
          send(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`),
        );
      } catch {
        controller.enqueue(encoder.encode(`event: error\ndata: {"error":"live updates unavailable"}\n\n`));
        controller.close();
        return;
      }
      const heartbeat = setInterval(() => send(": ping\n\n"), env.LIVE_HEARTBEAT_SECONDS * 1000);
      cleanup = () => {
        clearInterval(heartbeat);
        unsubscribe();
      };
      const abort = () => {
        cleanup();
        try {
          controller.close();
        } catch {}
      };
      // The client may have gone while the subscription was being made.
      if (request.signal.aborted) return abort();
      request.signal.addEventListener("abort", abort);
      // Tells the client how soon to reconnect, and that the stream is live.
      send(`retry: 3000\nevent: ready\ndata: {}\n\n`);
    },
    cancel() {
      cleanup();
    },
  });
  return new Response(stream, {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store, no-transform",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    },
  });
}
