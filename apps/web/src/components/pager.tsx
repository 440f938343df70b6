import Link from "next/link";

/**
 * A list's page links (keyset pages, lib keyset.ts): "Older" continues after this page's last
 * row, "Newest" goes back to the first page; the filters in `params` are kept.
 */
export function Pager({
  path,
  params,
  next,
  atStart,
  noun,
}: {
  path: string;
  /** The page's filters (without the cursor). */
  params: Record<string, string | undefined>;
  /** The next page's cursor; null on the last page. */
  next: string | null;
  /** True on the first page. */
  atStart: boolean;
  /** What is listed, for the links' accessible names ("alerts"). */
  noun: string;
}) {
  if (next === null && atStart) return null;
  const href = (cursor?: string) => {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) if (value) query.set(key, value);
    if (cursor) query.set("cursor", cursor);
    const search = query.toString();
    return search ? `${path}?${search}` : path;
  };
  return (
    <nav className="pager" aria-label={`Pages of ${noun}`}>
      {atStart ? <span /> : <Link href={href()}>← Newest {noun}</Link>}
      {next !== null && (
        <Link className="btn btn-small" href={href(next)} rel="next">
          Older {noun} →
        </Link>
      )}
    </nav>
  );
}
