// PostgreSQL's text cannot hold U+0000: a NUL in a name or a search would fail the query itself
// (a 500), so the API refuses it where requests are read, as bad input.

/** True when a string anywhere in a parsed JSON value (a key or a value) holds U+0000. */
export function holdsNul(value: unknown): boolean {
  // A stack, not recursion: bodies may nest thousands deep.
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === "string") {
      if (v.includes("\0")) return true;
    } else if (Array.isArray(v)) {
      for (const item of v) stack.push(item);
    } else if (v !== null && typeof v === "object") {
      for (const [key, item] of Object.entries(v)) {
        if (key.includes("\0")) return true;
        stack.push(item);
      }
    }
  }
  return false;
}

export const NUL_MESSAGE = "request must not contain NUL characters (\\u0000)";
