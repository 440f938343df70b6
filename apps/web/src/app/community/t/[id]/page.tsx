import { snapshot as snapshotSchema } from "@pulseboard/schema/community";
import { listReplies, REPLIES_PER_PAGE } from "@pulseboard/schema/queries/community-replies";
import { getThread } from "@pulseboard/schema/queries/community-threads";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { ReplyActions } from "@/components/community/reply-actions";
import { ReplyForm } from "@/components/community/reply-form";
import { SnapshotCard } from "@/components/community/snapshot-card";
import { ThreadLive } from "@/components/community/thread-live";
import { ThreadModeration } from "@/components/community/thread-moderation";
import { LocalTime } from "@/components/local-time";
import { moderates } from "@/lib/community";
import { renderPost } from "@/lib/community-markdown";
import { db } from "@/lib/db";
import { first, isUuid } from "@/lib/params";
import { currentSession } from "@/lib/session";

export const metadata: Metadata = { title: "Thread" };

/** A reply's snapshot, when it holds one this version can draw. */
function SharedSnapshot({ value }: { value: unknown }) {
  if (value === null || value === undefined) return null;
  const parsed = snapshotSchema.safeParse(value);
  return parsed.success ? <SnapshotCard snapshot={parsed.data} /> : null;
}

export default async function ThreadPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { id } = await params;
  const requested = Number(first((await searchParams).page) ?? "1");
  if (!isUuid(id)) notFound();
  const thread = await getThread(db, id);
  if (!thread) notFound();
  const session = await currentSession();
  const pages = Math.max(1, Math.ceil(thread.replyCount / REPLIES_PER_PAGE));
  const page = Number.isInteger(requested) && requested >= 1 && requested <= pages ? requested : 1;
  const [replies, moderator] = await Promise.all([
    listReplies(db, id, session?.user.id ?? null, page),
    moderates(session),
  ]);
  const locked = thread.status === "locked";
  return (
    <div className="stack">
      <ThreadLive threadId={id} />
      <p className="small">
        <Link href="/community">Community</Link> ›{" "}
        <Link href={`/community/c/${thread.categorySlug}`}>{thread.categoryName}</Link>
      </p>
      <div className="page-head">
        <div>
          <h1 data-testid="thread-title">{thread.title}</h1>
          <p className="row small muted">
            {thread.isPinned && <span className="badge badge-firing">pinned</span>}
            {locked && <span className="badge badge-offline">locked</span>}
            <span>
              started by {thread.authorName} · <LocalTime value={thread.createdAt} />
            </span>
          </p>
        </div>
        {moderator && <ThreadModeration threadId={id} status={thread.status} isPinned={thread.isPinned} />}
      </div>
      {locked && (
        <p className="notice" data-testid="locked-notice">
          This thread is locked: it takes no new replies or votes.
        </p>
      )}
      <ol className="stack community-replies">
        {replies.map((r, i) => (
          <li key={r.id} className="card reply" id={`reply-${r.id}`} data-testid="reply" data-score={r.score}>
            <p className="small muted">
              <strong>{r.authorName}</strong> · <LocalTime value={r.createdAt} />
              {i === 0 && page === 1 && " · opening post"}
            </p>
            {/* The body rendered by lib/community-markdown: raw HTML escaped, links checked. */}
            <div className="post-body" dangerouslySetInnerHTML={{ __html: renderPost(r.body) }} />
            <SharedSnapshot value={r.snapshot} />
            <ReplyActions
              // New figures from the server (a live refresh) replace what the buttons last showed.
              key={`${r.score}:${r.myVote}`}
              replyId={r.id}
              score={r.score}
              myVote={r.myVote}
              canVote={session !== null && !locked && r.authorId !== session.user.id}
              canDelete={session !== null && (moderator || r.authorId === session.user.id)}
              opening={i === 0 && page === 1}
            />
          </li>
        ))}
      </ol>
      {pages > 1 && (
        <nav className="row small" aria-label="Pages of this thread" data-testid="thread-pages">
          {page > 1 && <Link href={`/community/t/${id}?page=${page - 1}`}>← Earlier posts</Link>}
          <span>
            page {page} of {pages}
          </span>
          {page < pages && <Link href={`/community/t/${id}?page=${page + 1}`}>Later posts →</Link>}
        </nav>
      )}
      {session ? (
        locked ? null : (
          <ReplyForm threadId={id} />
        )
      ) : (
        <p className="card">
          <Link href={`/sign-in?next=${encodeURIComponent(`/community/t/${id}`)}`}>Sign in</Link> to reply and
          vote.
        </p>
      )}
    </div>
  );
}
