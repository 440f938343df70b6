"use server";

import { randomUUID } from "node:crypto";
import { postSignedWebhook } from "@pulseboard/runtime/webhook";
import { preferencesBody } from "@pulseboard/schema/fitness";
import { savePreferences } from "@pulseboard/schema/queries/fitness-preferences";
import {
  getNotificationSettings,
  rotateWebhookSecret,
  saveWebhookUrl,
} from "@pulseboard/schema/queries/notifications";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { env } from "@/env";
import { db } from "@/lib/db";
import { type ActionState, runAction } from "@/lib/errors";
import { log } from "@/lib/log";
import { requireSession } from "@/lib/session";

// Each action runs its work through runAction: a domain error from a query function becomes
// `{ok: false, message}` by the same mapping the API uses (lib/errors.ts).
export type { ActionState };

const webhookUrl = z
  .string()
  .trim()
  .max(2000, "The URL is too long.")
  .refine((v) => v === "" || /^https?:\/\//i.test(v), "Use an http:// or https:// URL.")
  .refine((v) => v === "" || URL.canParse(v), "That is not a valid URL.");

export async function saveWebhookAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  return runAction(async () => {
    const session = await requireSession();
    const parsed = webhookUrl.safeParse(form.get("webhookUrl") ?? "");
    if (!parsed.success) return { ok: false, message: parsed.error.issues[0]?.message ?? "Invalid URL." };
    await saveWebhookUrl(db, session.user.id, parsed.data === "" ? null : parsed.data);
    revalidatePath("/settings");
    return { ok: true, message: parsed.data === "" ? "Webhook removed." : "Webhook saved." };
  });
}

export async function rotateSecretAction(_prev: ActionState, _form: FormData): Promise<ActionState> {
  return runAction(async () => {
    const session = await requireSession();
    await rotateWebhookSecret(db, session.user.id);
    revalidatePath("/settings");
    return { ok: true, message: "New secret created. Update your receiver." };
  });
}

export async function sendTestAction(_prev: ActionState, _form: FormData): Promise<ActionState> {
  return runAction(async () => {
    const session = await requireSession();
    const settings = await getNotificationSettings(db, session.user.id);
    if (!settings?.webhookUrl) return { ok: false, message: "Save a webhook URL first." };
    const id = randomUUID();
    const body = JSON.stringify({
      id,
      type: "test",
      at: new Date().toISOString(),
      message: "A test event from Pulseboard: your webhook is reachable and the signature verifies.",
    });
    const result = await postSignedWebhook(
      settings.webhookUrl,
      settings.webhookSecret,
      { id, body },
      { timeoutMs: 5000, allowPrivate: env.WEBHOOK_ALLOW_PRIVATE },
    );
    if (!result.ok) {
      log.warn(
        { ownerId: session.user.id, origin: result.origin, reason: result.detail },
        "webhook test failed",
      );
    }
    return result.ok
      ? { ok: true, message: `Delivered: the receiver answered HTTP ${result.status}.` }
      : { ok: false, message: `Not delivered: ${result.error}.` };
  });
}

const optionalInt = (v: FormDataEntryValue | null) =>
  v === null || String(v).trim() === "" ? null : Number(v);

export async function savePreferencesAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  return runAction(async () => {
    const session = await requireSession();
    const parsed = preferencesBody.safeParse({
      weightUnit: form.get("weightUnit"),
      e1rmFormula: form.get("e1rmFormula"),
      repCap: Number(form.get("repCap")),
      age: optionalInt(form.get("age")),
      maxHeartRate: optionalInt(form.get("maxHeartRate")),
    });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return { ok: false, message: `${issue?.path.join(".")}: ${issue?.message}` };
    }
    await savePreferences(db, session.user.id, parsed.data);
    revalidatePath("/settings");
    return { ok: true, message: "Preferences saved." };
  });
}
