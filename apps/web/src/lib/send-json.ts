// The browser side of the JSON API: one request, the parsed answer, or an HttpError carrying the
// API's `{"error", "issues"?, "field"?}` (lib/form-errors.ts words it for people).
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Each validation problem, by field path (a 400 from zod). */
    readonly issues: { path: string; message: string }[] = [],
    /** The field a domain error names. */
    readonly field?: string,
  ) {
    super(message);
  }
}

export async function sendJson<T = unknown>(url: string, method: string, body?: unknown): Promise<T> {
  const res = await fetch(url, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = res.status === 204 ? null : await res.json().catch(() => ({}));
  if (!res.ok) {
    const answer = (data ?? {}) as { error?: string; issues?: unknown; field?: string };
    const issues = Array.isArray(answer.issues)
      ? answer.issues.filter(
          (i): i is { path: string; message: string } =>
            typeof i?.path === "string" && typeof i?.message === "string",
        )
      : [];
    throw new HttpError(res.status, answer.error ?? `HTTP ${res.status}`, issues, answer.field);
  }
  return data as T;
}
