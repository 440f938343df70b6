import { listMetricDisplay, setMetricDisplay } from "@pulseboard/schema/queries/metric-display";
import { metricDisplayBody } from "@pulseboard/schema/telemetry";
import { json, parse, readJson, withSession } from "@/lib/api";
import { db } from "@/lib/db";

/** The owner's display names and units, per metric name. */
export const GET = withSession(async (_request, session) =>
  json(await listMetricDisplay(db, session.user.id)),
);

/** Sets one metric's display name and unit (null: the default). */
export const PUT = withSession(async (request, session) => {
  const body = parse(metricDisplayBody, await readJson(request), "metric display");
  const row = await setMetricDisplay(db, session.user.id, body);
  return json(row ?? { metric: body.metric, displayName: null, unit: null });
});
