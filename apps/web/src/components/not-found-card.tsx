import Link from "next/link";

/** What a detail page shows for an id that is not the viewer's: the same as for no such thing. */
export function NotFoundCard({
  what,
  backHref,
  backLabel,
}: {
  what: string;
  backHref: string;
  backLabel: string;
}) {
  return (
    <section className="card empty" data-testid="not-found">
      <h1>{`${what} not found`}</h1>
      <p>
        {`There is no such ${what.toLowerCase()} among yours. `}
        <Link href={backHref}>{backLabel}</Link>
      </p>
    </section>
  );
}
