import { toDisplayWeight } from "@pulseboard/schema/fitness-math";
import { getPreferences } from "@pulseboard/schema/queries/fitness-preferences";
import { allSets } from "@pulseboard/schema/queries/sets";
import { withSession } from "@/lib/api";
import { csvField } from "@/lib/csv";
import { db } from "@/lib/db";

export const GET = withSession(async (_request, session) => {
  const [sets, prefs] = await Promise.all([
    allSets(db, session.user.id),
    getPreferences(db, session.user.id),
  ]);
  const lines = ["date,exercise,set,reps,weight,unit"];
  for (const s of sets) {
    lines.push(
      [
        s.performedAt.toISOString(),
        csvField(s.exerciseName),
        String(s.setNumber),
        String(s.reps),
        s.weightKg === null ? "" : String(toDisplayWeight(s.weightKg, prefs.weightUnit)),
        prefs.weightUnit,
      ].join(","),
    );
  }
  return new Response(`${lines.join("\n")}\n`, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="pulseboard-sets-${new Date().toISOString().slice(0, 10)}.csv"`,
      "cache-control": "no-store",
    },
  });
});
