import "server-only";
import type { Database } from "@pulseboard/schema/client";
import { deviceReportedMetric } from "@pulseboard/schema/queries/rules";
import { neverReportedWarning } from "./rule-state";

/** What looks wrong with a rule just saved, without refusing it. */
export async function ruleWarnings(
  db: Database,
  ownerId: string,
  rule: { deviceId: string; metric: string },
): Promise<string[]> {
  const reported = await deviceReportedMetric(db, ownerId, rule.deviceId, rule.metric);
  return reported ? [] : [neverReportedWarning(rule.metric)];
}
