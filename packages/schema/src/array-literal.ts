// PostgreSQL array literals (array_in's text form), built with one native join: the
// driver's generic array parameter escapes each element with two regular expressions, which for
// the ingest's four 5,000-element arrays per flush was a few per cent of its thread.

const NEEDS_ESCAPE = /["\\]/;
const ESCAPE = /["\\]/g;

/** `{"a","b"}`: every element quoted (so `NULL`, empty strings and spaces stay text). */
export function textArrayLiteral(items: readonly string[]): string {
  if (items.length === 0) return "{}";
  const elements = items.some((s) => NEEDS_ESCAPE.test(s))
    ? items.map((s) => s.replace(ESCAPE, "\\$&"))
    : items;
  return `{"${elements.join('","')}"}`;
}

/** `{1.5,-3,NaN}`: each number as JavaScript prints it, which float8 reads back exactly. */
export function numberArrayLiteral(items: readonly number[]): string {
  return `{${items.join(",")}}`;
}
