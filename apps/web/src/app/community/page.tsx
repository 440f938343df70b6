import { listCategories } from "@pulseboard/schema/queries/community-categories";
import type { Metadata } from "next";
import Link from "next/link";
import { SearchBox } from "@/components/community/search-box";
import { LocalTime } from "@/components/local-time";
import { db } from "@/lib/db";

export const metadata: Metadata = { title: "Community" };

export default async function CommunityPage() {
  const categories = await listCategories(db);
  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <h1>Community</h1>
          <p className="muted small">Owners helping each other: sensors, rules, training.</p>
        </div>
      </div>
      <SearchBox />
      <section className="card">
        {categories.length === 0 ? (
          <p className="empty">No categories yet.</p>
        ) : (
          <ul className="community-list">
            {categories.map((c) => (
              <li key={c.id} data-testid="category-row">
                <div>
                  <Link href={`/community/c/${c.slug}`} className="community-title">
                    {c.name}
                  </Link>
                  {c.description && <p className="muted small">{c.description}</p>}
                </div>
                <p className="small muted community-meta">
                  {c.threadCount} {c.threadCount === 1 ? "thread" : "threads"}
                  {c.lastActivityAt && (
                    <>
                      {" · "}latest <LocalTime value={c.lastActivityAt} />
                    </>
                  )}
                </p>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
