import { shareBody } from "@pulseboard/schema/community";
import { NotFoundError } from "@pulseboard/schema/errors";
import { getCategory } from "@pulseboard/schema/queries/community-categories";
import { createReply } from "@pulseboard/schema/queries/community-replies";
import { createThread } from "@pulseboard/schema/queries/community-threads";
import { json, parse, readJson, withSession } from "@/lib/api";
import { checkLinkBrake, countAction } from "@/lib/community";
import { db } from "@/lib/db";
import { chartSnapshotOf, checkedSnapshot, workoutSnapshotOf } from "@/lib/snapshots";

/**
 * Shares a chart's range or a workout into a thread (or a new one) as a frozen snapshot beside a
 * note: readers need no access to the device or the log, and deleting them later changes nothing.
 */
export const POST = withSession(async (request, session) => {
  const body = parse(shareBody, await readJson(request), "share");
  const owner = session.user.id;
  await checkLinkBrake(owner, body.body);
  // Counted before the snapshot is read: the limit also bounds those reads.
  await countAction(owner, "threadId" in body.thread ? "reply" : "thread");
  const snapshot = checkedSnapshot(
    body.source.kind === "chart"
      ? await chartSnapshotOf(owner, body.source)
      : await workoutSnapshotOf(owner, body.source.workoutId),
  );
  if ("threadId" in body.thread) {
    const reply = await createReply(db, owner, body.thread.threadId, body.body, snapshot);
    return json({ threadId: reply.threadId, replyId: reply.id }, 201);
  }
  const category = await getCategory(db, body.thread.categorySlug);
  if (!category) throw new NotFoundError("category not found", { field: "categorySlug" });
  const thread = await createThread(
    db,
    owner,
    category.id,
    { title: body.thread.title, body: body.body },
    snapshot,
  );
  return json({ threadId: thread.id, replyId: thread.openingReplyId }, 201);
});
