"use server";

import { preferencesBody } from "@pulseboard/schema/fitness";
import { savePreferences } from "@pulseboard/schema/queries/fitness-preferences";
import { rotateWebhookSecret, saveWebhookUrl } from "@pulseboard/schema/queries/notifications";
import { revalidatePath } from "next/cache";
import { env } from "@/env";
import { db } from "@/lib/db";
import { type ActionState, runAction } from "@/lib/errors";
import { log } from "@/lib/log";
import { requireSession } from "@/lib/session";
import { sendTestWebhook, webhookUrlField } from "@/lib/webhook-settings";

// Each action runs its work through runAction: a domain error from a query function becomes
// `{ok: false, message}` by the same mapping the API uses (lib/errors.ts).
export type { ActionState };

export async function saveWebhookAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  return runAction(async () => {
    const session = await requireSession();
    const parsed = webhookUrlField(env.WEBHOOK_ALLOW_PRIVATE).safeParse(form.get("webhookUrl") ?? "");
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
    return sendTestWebhook(db, session.user.id, { allowPrivate: env.WEBHOOK_ALLOW_PRIVATE, log });
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
