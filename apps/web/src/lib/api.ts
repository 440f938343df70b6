import "server-only";
import { isDomainError } from "@pulseboard/schema/errors";
import type { z } from "zod";
import { httpError } from "./errors";
import { log } from "./log";
import { holdsNul, NUL_MESSAGE } from "./nul";
import { isUuid } from "./params";
import { requestSession } from "./session";
import { humanIssue } from "./validation-messages";

// Route-handler plumbing: every API error is `{"error": ...}` with the right status; handlers
// only parse, call a query function and respond.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export const notFound = (what = "not found") => new ApiError(404, what);

export function json(data: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return Response.json(data, { status, headers: { "cache-control": "no-store", ...headers } });
}

/**
 * A page of a list: the body is the page's array (the list's contract), the next page's address
 * in a `Link: <…>; rel="next"` header (RFC 8288), relative to the request: the same path and
 * parameters with the next cursor.
 */
export function paged(request: Request, rows: unknown[], next: string | null): Response {
  if (next === null) return json(rows);
  const url = new URL(request.url);
  url.searchParams.set("cursor", next);
  return json(rows, 200, { link: `<${url.pathname}${url.search}>; rel="next"` });
}

function issuesOf(error: z.ZodError) {
  return error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
}

/** Validates with zod; a failure is a 400 naming each problem. */
export function parse<T extends z.ZodType>(schema: T, input: unknown, what: string): z.output<T> {
  const result = schema.safeParse(input, { error: humanIssue });
  if (!result.success) {
    const issues = issuesOf(result.error);
    const first = issues[0];
    throw new ApiError(
      400,
      `invalid ${what}: ${first?.path ? `${first.path}: ` : ""}${first?.message}`,
      issues,
    );
  }
  return result.data;
}

/** `application/json`, with parameters (`; charset=utf-8`) or none. */
export function isJsonContentType(value: string | null): boolean {
  return value !== null && /^application\/json\s*(;|$)/i.test(value.trim());
}

/**
 * The body of a write, parsed as JSON. A body must be declared `application/json`: anything else
 * (`text/plain`, forms: what a cross-site form or a "simple" fetch can send) is a 415.
 */
export async function readJson(request: Request): Promise<unknown> {
  const text = await readBodyText(request, MAX_JSON_BODY_BYTES);
  if (text !== "" && !isJsonContentType(request.headers.get("content-type"))) {
    throw new ApiError(415, "request body must be sent as Content-Type: application/json");
  }
  let body: unknown;
  try {
    body = text === "" ? {} : JSON.parse(text);
  } catch {
    throw new ApiError(400, "request body must be JSON");
  }
  if (holdsNul(body)) throw new ApiError(400, NUL_MESSAGE);
  return body;
}

/** The largest JSON body the API reads. */
export const MAX_JSON_BODY_BYTES = 64 * 1024;

const tooLarge = (limit: number) => new ApiError(413, `request body is over ${limit / 1024} KiB`);

/**
 * The body as text, read only up to `limit` bytes: a declared Content-Length over it is refused
 * before reading, and an undeclared (chunked) body as soon as it passes it, the rest unread.
 */
async function readBodyText(request: Request, limit: number): Promise<string> {
  return new TextDecoder().decode(await readBody(request, limit));
}

/** The body's bytes, read only up to `limit` (as readBodyText): for a signature over the raw body. */
export async function readBody(request: Request, limit: number): Promise<Uint8Array> {
  if (Number(request.headers.get("content-length")) > limit) throw tooLarge(limit);
  if (!request.body) return new Uint8Array();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    size += chunk.value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw tooLarge(limit);
    }
    chunks.push(chunk.value);
  }
  return Buffer.concat(chunks);
}

export function searchParams(request: Request): Record<string, string> {
  const params = Object.fromEntries(new URL(request.url).searchParams);
  if (holdsNul(params)) throw new ApiError(400, NUL_MESSAGE);
  return params;
}

type Session = NonNullable<Awaited<ReturnType<typeof requestSession>>>;
type Context<P> = { params: Promise<P> };

/**
 * Wraps a route handler: domain errors from the query layer as lib/errors.ts maps them, ApiErrors
 * as their status, anything else as a logged 500 that reveals nothing.
 */
export function withErrors<P = Record<string, never>>(
  handler: (request: Request, params: P) => Promise<Response>,
) {
  return async (request: Request, context: Context<P>): Promise<Response> => {
    try {
      return await handler(request, await context.params);
    } catch (error) {
      if (isDomainError(error)) {
        const { status, body, headers } = httpError(error);
        return json(body, status, headers);
      }
      if (error instanceof ApiError) {
        return json(
          error.details ? { error: error.message, issues: error.details } : { error: error.message },
          error.status,
        );
      }
      log.error({ err: error, path: new URL(request.url).pathname }, "request failed");
      return json({ error: "internal error" }, 500);
    }
  };
}

/** As withErrors, and 401 without a session. */
export function withSession<P = Record<string, never>>(
  handler: (request: Request, session: Session, params: P) => Promise<Response>,
) {
  return withErrors<P>(async (request, params) => {
    const session = await requestSession(request);
    if (!session) return json({ error: "sign in first" }, 401);
    return handler(request, session, params);
  });
}

/** As withErrors, with the session when there is one, null when not (for what anyone may read). */
export function withOptionalSession<P = Record<string, never>>(
  handler: (request: Request, session: Session | null, params: P) => Promise<Response>,
) {
  return withErrors<P>(async (request, params) => handler(request, await requestSession(request), params));
}

/** An id from the path: anything that is not a UUID cannot be the owner's, so it is a 404. */
export function idParam(value: string, what: string): string {
  if (!isUuid(value)) throw notFound(`${what} not found`);
  return value.toLowerCase();
}
