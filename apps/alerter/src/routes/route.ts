// A signed endpoint: its body's shape and what it does with it. The app has checked the signature
// on the raw body; an answer is 200 with what `handle` returns.
import { InvalidError } from "@pulseboard/schema/errors";
import { z } from "zod";

export type SignedRoute = (raw: string) => Promise<unknown>;

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
export function signedRoute<T>(schema: z.ZodType<T>, handle: (body: T) => Promise<unknown>): SignedRoute {
  return async (raw) => {
    const parsed = schema.safeParse(parseJson(raw));
    if (!parsed.success) throw new InvalidError(z.prettifyError(parsed.error));
    return handle(parsed.data);
  };
}
