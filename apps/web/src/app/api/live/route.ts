import { withSession } from "@/lib/api";
import { type LiveEvent, liveHub } from "@/lib/live";
import { sseResponse } from "@/lib/sse";

export const dynamic = "force-dynamic";

// Server-sent events of the signed-in owner: `reading` hints, `alert` transitions, `resync`
// after the server's LISTEN connection came back (lib/sse.ts: heartbeats, reconnects).
export const GET = withSession(async (request, session) =>
  sseResponse<LiveEvent>(request, (send) => liveHub.subscribe(session.user.id, send)),
);
