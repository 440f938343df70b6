import { CLERK_USER_EVENT_TYPES, clerkUserEvent } from "@pulseboard/schema/auth";
import { applyClerkUserEvent } from "@pulseboard/schema/queries/clerk-users";
import { env } from "@/env";
import { json, readBody, withErrors } from "@/lib/api";
import { verifyClerkWebhook } from "@/lib/clerk-webhook";
import { db } from "@/lib/db";
import { log } from "@/lib/log";

// Clerk's user events (AUTH_PROVIDER=clerk): register this URL in Clerk's dashboard (Webhooks) for
// user.created, user.updated and user.deleted. Nothing changes unless the signature holds over
// the raw body; every event is applied idempotently (queries/clerk-users.ts), so Clerk's retries,
// duplicates and out-of-order deliveries all converge. A 5xx makes Clerk retry later.

/** Clerk's user payloads are a few KiB; anything far larger is not one of them. */
const MAX_WEBHOOK_BYTES = 256 * 1024;

const webhookLog = log.child({ module: "clerk-webhook" });

export const POST = withErrors(async (request) => {
  const secret = env.CLERK_WEBHOOK_SIGNING_SECRET;
  if (env.AUTH_PROVIDER !== "clerk" || !secret) return json({ error: "not found" }, 404);
  const verdict = verifyClerkWebhook(await readBody(request, MAX_WEBHOOK_BYTES), request.headers, secret);
  if (!verdict.ok) {
    webhookLog.warn({ status: verdict.status, reason: verdict.error }, "Clerk webhook refused");
    return json({ error: verdict.error }, verdict.status);
  }
  const type = (verdict.payload as { type?: unknown } | null)?.type;
  if (!CLERK_USER_EVENT_TYPES.includes(type as (typeof CLERK_USER_EVENT_TYPES)[number])) {
    // Signed, but not an event this endpoint handles: acknowledged so Clerk does not retry it.
    return json({ ignored: typeof type === "string" ? type : "unknown event" });
  }
  const event = clerkUserEvent.safeParse(verdict.payload);
  if (!event.success) {
    const issue = event.error.issues[0];
    const where = issue?.path.join(".");
    webhookLog.warn({ type, issue: issue?.message, path: where }, "Clerk webhook malformed");
    return json({ error: `malformed ${type} event: ${where}: ${issue?.message}` }, 400);
  }
  // A failure here is a 500 (withErrors): Clerk retries the delivery later.
  const outcome = await applyClerkUserEvent(db, event.data);
  webhookLog.info({ type: event.data.type, user: event.data.data.id, outcome }, "Clerk user event");
  return json({ outcome });
});
