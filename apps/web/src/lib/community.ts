import "server-only";
import type { CommunityAction, ShareBody } from "@pulseboard/schema/community";
import { InvalidError, NotFoundError } from "@pulseboard/schema/errors";
import { getCategory } from "@pulseboard/schema/queries/community-categories";
import { accountAgeSeconds, countCommunityAction } from "@pulseboard/schema/queries/community-limits";
import { isModerator, moderatesByVerifiedEmail } from "@pulseboard/schema/queries/community-moderators";
import { createReply } from "@pulseboard/schema/queries/community-replies";
import { createThread } from "@pulseboard/schema/queries/community-threads";
import { env } from "@/env";
import { linksIn } from "./community-markdown";
import { db } from "./db";
import type { AppSession } from "./session";
import { chartSnapshotOf, checkedSnapshot, workoutSnapshotOf } from "./snapshots";

// The community's rules around its queries: who moderates, the per-user limits, the link brake.

const LIMITS: Record<CommunityAction, { max: number; windowSeconds: number }> = {
  thread: { max: env.COMMUNITY_THREADS_PER_HOUR, windowSeconds: 3600 },
  reply: { max: env.COMMUNITY_REPLIES_PER_MINUTE, windowSeconds: 60 },
  vote: { max: env.COMMUNITY_VOTES_PER_MINUTE, windowSeconds: 60 },
};

/** Counts the action against the user's limit (RateLimitedError past it). */
export function countAction(userId: string, action: CommunityAction): Promise<void> {
  return countCommunityAction(db, userId, action, LIMITS[action]);
}

/**
 * Whether the user moderates: the community's role, or an address on COMMUNITY_MODERATORS that is
 * verified (granted then, for good; an unverified address grants nothing).
 */
export async function moderates(session: AppSession | null): Promise<boolean> {
  if (!session) return false;
  if (await isModerator(db, session.user.id)) return true;
  const email = session.user.email?.toLowerCase();
  if (!email || !env.COMMUNITY_MODERATORS.some((m) => m.toLowerCase() === email)) return false;
  return moderatesByVerifiedEmail(db, session.user.id, env.COMMUNITY_MODERATORS);
}

/** New accounts post no links for COMMUNITY_NEW_ACCOUNT_LINK_MINUTES (InvalidError naming the wait). */
export async function checkLinkBrake(userId: string, body: string): Promise<void> {
  const minutes = env.COMMUNITY_NEW_ACCOUNT_LINK_MINUTES;
  if (minutes === 0 || linksIn(body).length === 0) return;
  const age = await accountAgeSeconds(db, userId);
  if (age >= minutes * 60) return;
  const wait = Math.ceil((minutes * 60 - age) / 60);
  throw new InvalidError(
    `new accounts may post links after ${minutes} minutes: remove the links, or try again in ${wait} min`,
    { field: "body" },
  );
}

/**
 * Shares a chart's range or a workout into a thread (or a new one) as a frozen snapshot beside a
 * note. Counted against the limit before the snapshot is read: the limit bounds those reads too.
 */
export async function shareToCommunity(
  ownerId: string,
  body: ShareBody,
): Promise<{ threadId: string; replyId: string }> {
  await checkLinkBrake(ownerId, body.body);
  await countAction(ownerId, "threadId" in body.thread ? "reply" : "thread");
  const snapshot = checkedSnapshot(
    body.source.kind === "chart"
      ? await chartSnapshotOf(ownerId, body.source)
      : await workoutSnapshotOf(ownerId, body.source.workoutId),
  );
  if ("threadId" in body.thread) {
    const reply = await createReply(db, ownerId, body.thread.threadId, body.body, snapshot);
    return { threadId: reply.threadId, replyId: reply.id };
  }
  const category = await getCategory(db, body.thread.categorySlug);
  if (!category) throw new NotFoundError("category not found", { field: "categorySlug" });
  const thread = await createThread(
    db,
    ownerId,
    category.id,
    { title: body.thread.title, body: body.body },
    snapshot,
  );
  return { threadId: thread.id, replyId: thread.openingReplyId };
}
