import { searchCommunity } from "@pulseboard/schema/queries/community-search";
import type { Metadata } from "next";
import Link from "next/link";
import { SearchBox } from "@/components/community/search-box";
import { db } from "@/lib/db";
import { first } from "@/lib/params";

export const metadata: Metadata = { title: "Search the community" };

/** An excerpt's «matches» as <mark>s: the text itself stays text. */
function Excerpt({ text }: { text: string }) {
  return (
    <>
      {text
        .split(/(«[^»]*»)/)
        .map((part, i) =>
          part.startsWith("«") && part.endsWith("»") ? <mark key={i}>{part.slice(1, -1)}</mark> : part,
        )}
    </>
  );
}

export default async function SearchPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const q = (first((await searchParams).q) ?? "").trim();
  const hits = q.length >= 2 && q.length <= 200 ? await searchCommunity(db, q) : [];
  return (
    <div className="stack">
      <p className="small">
        <Link href="/community">← Community</Link>
      </p>
      <h1>Search</h1>
      <SearchBox value={q} />
      {q.length < 2 ? (
        <p className="muted">Search for at least 2 characters.</p>
      ) : hits.length === 0 ? (
        <p className="card empty">Nothing matches “{q}”.</p>
      ) : (
        <ul className="card community-list">
          {hits.map((h) => (
            <li key={h.threadId} data-testid="search-hit">
              <div>
                <Link href={`/community/t/${h.threadId}`} className="community-title">
                  {h.title}
                </Link>
                <p className="small">
                  <Excerpt text={h.excerpt} />
                </p>
              </div>
              <p className="small muted community-meta">
                {h.categoryName} · {h.replyCount} {h.replyCount === 1 ? "post" : "posts"}
              </p>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
