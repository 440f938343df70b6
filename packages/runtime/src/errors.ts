/**
 * A one-line description of an error for a CLI's last words: the innermost cause's first line
 * (Drizzle wraps driver errors as "Failed query: <sql>\nparams: ..." with the useful part as cause).
 */
export function errorMessage(error: unknown): string {
  let current: unknown = error;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  const text = current instanceof Error ? current.message : String(current);
  return text.split("\n")[0] ?? text;
}
