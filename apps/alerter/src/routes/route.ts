// A signed endpoint: its body's shape and what it does with it. The app has checked the signature
// on the raw body; an answer is 200 with what `handle` returns.
import { InvalidError } from "@pulseboard/schema/errors";
import { z } from "zod";

/** What the queue tells about the message besides its body (not covered by the signature). */
export interface MessageMeta {
  /** Upstash-Retried: how often the queue had retried this message before this call. */
  retried: number;
}

export type SignedRoute = (raw: string, meta: MessageMeta) => Promise<unknown>;

/** The body's JSON (an empty body is `{}`); not JSON is an InvalidError. */
export function parseJson(raw: string): unknown {
  try {
    return raw === "" ? {} : JSON.parse(raw);
  } catch {
    throw new InvalidError("body is not valid JSON");
  }
}

/**
 * Parses the raw body and checks it against `schema` (a mismatch is an InvalidError), then
 * handles it.
 */
export function signedRoute<T>(
  schema: z.ZodType<T>,
  handle: (body: T, meta: MessageMeta) => Promise<unknown>,
): SignedRoute {
  return async (raw, meta) => {
    const parsed = schema.safeParse(parseJson(raw));
    if (!parsed.success) throw new InvalidError(z.prettifyError(parsed.error));
    return handle(parsed.data, meta);
  };
}
