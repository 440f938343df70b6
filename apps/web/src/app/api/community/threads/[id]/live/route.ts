import { getThread } from "@pulseboard/schema/queries/community-threads";
import { idParam, notFound, withErrors } from "@/lib/api";
import { db } from "@/lib/db";
import { liveHub, type ThreadEvent } from "@/lib/live";
import { sseResponse } from "@/lib/sse";

export const dynamic = "force-dynamic";

// Server-sent events for a thread's readers, signed in or not: `reply` ({threadId, replyId}: the
// page reads the reply itself) as each is committed, `resync` after the server's LISTEN
// connection came back.
export const GET = withErrors<{ id: string }>(async (request, params) => {
  const id = idParam(params.id, "thread");
  if (!(await getThread(db, id))) throw notFound("thread not found");
  return sseResponse<ThreadEvent>(request, (send) => liveHub.subscribeThread(id, send));
});
