import { env } from "@/env";
import { withSession } from "@/lib/api";
import { type LiveEvent, liveHub } from "@/lib/live";

export const dynamic = "force-dynamic";

// Server-sent events of the signed-in owner: `reading` hints, `alert` transitions, `resync`
// after the server's LISTEN connection came back. A comment line every LIVE_HEARTBEAT_SECONDS
// keeps proxies from closing an idle stream.
export const GET = withSession(async (request, session) => {
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
        unsubscribe = await liveHub.subscribe(session.user.id, (event: LiveEvent) =>
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
      request.signal.addEventListener("abort", () => {
        cleanup();
        try {
          controller.close();
        } catch {}
      });
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
});
