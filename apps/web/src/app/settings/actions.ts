"use server";

import { preferencesBody } from "@pulseboard/schema/fitness";
import { savePreferences } from "@pulseboard/schema/queries/fitness-preferences";
import { revalidatePath } from "next/cache";
import { db } from "@/lib/db";
import { type ActionState, runAction } from "@/lib/errors";
import { requireSession } from "@/lib/session";

// Each action runs its work through runAction: a domain error from a query function becomes
// `{ok: false, message}` by the same mapping the API uses (lib/errors.ts).
export type { ActionState };

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
