import { getCategory } from "@pulseboard/schema/queries/community-categories";
import { decodeCursor, listThreads } from "@pulseboard/schema/queries/community-threads";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { NewThreadForm } from "@/components/community/new-thread-form";
import { LocalTime } from "@/components/local-time";
import { db } from "@/lib/db";
import { first } from "@/lib/params";
import { currentSession } from "@/lib/session";

export const metadata: Metadata = { title: "Community" };

export default async function CategoryPage({
  params,
  searchParams,
}: {
  params: Promise<{ slug: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { slug } = await params;
  const category = await getCategory(db, slug);
  if (!category) notFound();
  const cursorParam = first((await searchParams).cursor);
  const cursor = cursorParam ? decodeCursor(cursorParam) : undefined;
  const [{ threads, nextCursor }, session] = await Promise.all([
    listThreads(db, category.id, { cursor }),
    currentSession(),
  ]);
  return (
    <div className="stack">
      <p className="small">
        <Link href="/community">← Community</Link>
      </p>
      <div className="page-head">
        <div>
          <h1>{category.name}</h1>
          {category.description && <p className="muted small">{category.description}</p>}
        </div>
      </div>
      <section className="card">
        {threads.length === 0 ? (
          <p className="empty">{cursor ? "No older threads." : "No threads yet: start the first one."}</p>
        ) : (
          <ul className="community-list">
            {threads.map((t) => (
              <li key={t.id} data-testid="thread-row" data-pinned={t.isPinned} data-status={t.status}>
                <div>
                  {t.isPinned && <span className="badge badge-firing">pinned</span>}{" "}
                  {t.status === "locked" && <span className="badge badge-offline">locked</span>}{" "}
                  <Link href={`/community/t/${t.id}`} className="community-title">
                    {t.title}
                  </Link>
                  <p className="small muted">by {t.authorName}</p>
                </div>
                <p className="small muted community-meta">
                  {t.replyCount} {t.replyCount === 1 ? "post" : "posts"} ·{" "}
                  <LocalTime value={t.lastActivityAt} />
                </p>
              </li>
            ))}
          </ul>
        )}
        {(nextCursor || cursor) && (
          <p className="row small">
            {cursor && <Link href={`/community/c/${slug}`}>Newest</Link>}
            {nextCursor && (
              <Link href={`/community/c/${slug}?cursor=${nextCursor}`} data-testid="older-threads">
                Older threads →
              </Link>
            )}
          </p>
        )}
      </section>
      {session ? (
        <NewThreadForm slug={slug} />
      ) : (
        <p className="card">
          <Link href={`/sign-in?next=${encodeURIComponent(`/community/c/${slug}`)}`}>Sign in</Link> to start a
          thread.
        </p>
      )}
    </div>
  );
}
