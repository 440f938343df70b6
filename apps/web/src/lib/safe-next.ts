// Where to go after signing in: the `?next=` a sign-in link carries, which anyone can craft.

const FALLBACK = "/dashboard";
const ORIGIN = "https://pulseboard.invalid";

/** A character URL parsers strip or reinterpret (backslash as slash; tabs and newlines dropped). */
function hasTrick(text: string): boolean {
  for (const ch of text) {
    const code = ch.charCodeAt(0);
    if (ch === "\\" || code <= 0x20 || code === 0x7f) return true;
  }
  return false;
}

/**
 * Only a path on this site: resolved against a dummy origin, it must keep that origin and start
 * with a single `/`. Backslashes, control characters and whitespace (raw, or percent-encoded),
 * and anything starting `//` once decoded, fall back to the dashboard.
 */
export function safeNext(next: string | null): string {
  if (!next?.startsWith("/") || hasTrick(next)) return FALLBACK;
  let decoded: string;
  try {
    decoded = decodeURIComponent(next);
  } catch {
    return FALLBACK;
  }
  // Spaces are fine in a decoded query (`?q=a%20b`); the rest of hasTrick is not.
  if (decoded.startsWith("//") || hasTrick(decoded.replaceAll(" ", ""))) return FALLBACK;
  let url: URL;
  try {
    url = new URL(next, ORIGIN);
  } catch {
    return FALLBACK;
  }
  if (url.origin !== ORIGIN) return FALLBACK;
  const path = `${url.pathname}${url.search}${url.hash}`;
  return path.startsWith("/") && !path.startsWith("//") ? path : FALLBACK;
}

/** The request header the proxy (src/proxy.ts) puts a protected page's own path in. */
export const PATH_HEADER = "x-pulseboard-path";
