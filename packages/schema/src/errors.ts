// Domain errors: what the query layer throws when a request cannot be carried out. They say what
// went wrong in the data's terms, never how a transport answers it; the web app maps them to HTTP
// in one place (apps/web/src/lib/errors.ts: NotFound → 404, Conflict → 409, Invalid → 400,
// Unavailable → 503).
//
// Convention for query functions:
// - a lookup by id of something that is not there, or not the caller's, throws NotFoundError (the
//   two are indistinguishable on purpose: another user's id finds nothing);
// - a list or search that matches nothing returns an empty array (no rows is not an error);
// - a write that would duplicate something unique throws ConflictError;
// - input that names something unknown or breaks a rule the schema cannot express throws
//   InvalidError, with `field` naming the offending input when there is one;
// - a request the database could not answer in the time allowed (a statement timeout) throws
//   UnavailableError, saying when to try again;
// - an action the caller may not take on something they can see throws ForbiddenError;
// - an action the caller took too often throws RateLimitedError, saying when to try again.

/** The base of every error the query layer throws on purpose. */
export abstract class DomainError extends Error {
  abstract readonly kind: "not_found" | "conflict" | "invalid" | "unavailable" | "forbidden" | "rate_limited";
  readonly field: string | undefined;

  constructor(message: string, options: { field?: string | undefined; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.field = options.field;
  }
}

/** The thing asked for is not there, or is not the caller's. */
export class NotFoundError extends DomainError {
  readonly kind = "not_found";
}

/** The write would duplicate something that must be unique. */
export class ConflictError extends DomainError {
  readonly kind = "conflict";
}

/** The input is well-formed but not acceptable (names something unknown, breaks a rule). */
export class InvalidError extends DomainError {
  readonly kind = "invalid";
}

/** The request could not be answered now (it took too long); the same request may succeed later. */
export class UnavailableError extends DomainError {
  readonly kind = "unavailable";
  /** When trying again makes sense, in seconds. */
  readonly retryAfterSeconds: number;

  constructor(message: string, options: { retryAfterSeconds: number; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/** The caller may see the thing but not do this to it (a moderator's action, someone else's reply). */
export class ForbiddenError extends DomainError {
  readonly kind = "forbidden";
}

/** The caller did this too often; the same request may succeed after `retryAfterSeconds`. */
export class RateLimitedError extends DomainError {
  readonly kind = "rate_limited";
  readonly retryAfterSeconds: number;

  constructor(message: string, options: { retryAfterSeconds: number }) {
    super(message);
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError;
}
