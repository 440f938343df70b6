// The one place domain errors (@pulseboard/schema/errors) become answers: an HTTP status and a
// `{"error": ...}` body for route handlers, an `{ok: false, message}` state for server actions.
// Query functions never pick a status; anything that is not a DomainError is not mapped here
// (a route handler logs it and answers 500).
import {
  ConflictError,
  type DomainError,
  ForbiddenError,
  InvalidError,
  isDomainError,
  NotFoundError,
  RateLimitedError,
  UnavailableError,
} from "@pulseboard/schema/errors";

export interface HttpError {
  status: 400 | 403 | 404 | 409 | 429 | 503;
  body: { error: string; field?: string };
  /** Response headers the status needs (503: Retry-After). */
  headers?: Record<string, string>;
}

/**
 * NotFound → 404, Conflict → 409, Invalid → 400 (naming the offending field when there is one),
 * Forbidden → 403, RateLimited → 429 with Retry-After, Unavailable → 503 with Retry-After.
 */
export function httpError(error: DomainError): HttpError {
  if (error instanceof NotFoundError) return { status: 404, body: { error: error.message } };
  if (error instanceof ForbiddenError) return { status: 403, body: { error: error.message } };
  if (error instanceof RateLimitedError) {
    return {
      status: 429,
      body: { error: error.message },
      headers: { "retry-after": String(Math.max(1, Math.ceil(error.retryAfterSeconds))) },
    };
  }
  if (error instanceof UnavailableError) {
    return {
      status: 503,
      body: { error: error.message },
      headers: { "retry-after": String(Math.max(1, Math.ceil(error.retryAfterSeconds))) },
    };
  }
  if (error instanceof ConflictError) return { status: 409, body: { error: error.message } };
  if (error instanceof InvalidError) {
    return {
      status: 400,
      body:
        error.field === undefined ? { error: error.message } : { error: error.message, field: error.field },
    };
  }
  // A DomainError subclass this mapping does not know yet: the request could not be carried out.
  return { status: 400, body: { error: error.message } };
}

export type ActionState = { ok: boolean; message: string } | null;

/** A server action's failure state for a domain error: the same message a route handler sends. */
export function actionError(error: DomainError): { ok: false; message: string } {
  return { ok: false, message: httpError(error).body.error };
}

/** Runs a server action's work; a domain error becomes its failure state, anything else is thrown. */
export async function runAction(work: () => Promise<ActionState>): Promise<ActionState> {
  try {
    return await work();
  } catch (error) {
    if (isDomainError(error)) return actionError(error);
    throw error;
  }
}
