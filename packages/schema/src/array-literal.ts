// PostgreSQL array literals (array_in's text form), built in one pass of native joins: the
// driver's generic array parameter escapes each element with two regular expressions, which for
// the ingest's four 5,000-element arrays per flush was a few per cent of its thread.

const NEEDS_ESCAPE = /["\\]/;
const ESCAPE = /["\\]/g;

/** `{"a","b"}`: every element quoted (so `NULL`, empty strings and spaces stay text). */
export function textArrayLiteral(items: readonly string[]): string {
  if (items.length === 0) return "{}";
  // Separators are added after the check, so only the elements' own characters are tested.
  const elements = NEEDS_ESCAPE.test(items.join("")) ? items.map((s) => s.replace(ESCAPE, "\\$&")) : items;
  return `{"${elements.join('","')}"}`;
}

/** `{1.5,-3,NaN}`: each number as JavaScript prints it, which float8 reads back exactly. */
export function numberArrayLiteral(items: readonly number[]): string {
  return `{${items.join(",")}}`;
}
