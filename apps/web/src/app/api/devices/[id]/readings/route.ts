import { getDevice } from "@pulseboard/schema/queries/devices";
import { rollupReadings } from "@pulseboard/schema/queries/rollups";
import { readingsQuery } from "@pulseboard/schema/telemetry";
import { chartBucketSeconds, incrementalFrom } from "@pulseboard/schema/tiers";
import { env } from "@/env";
import { idParam, json, notFound, parse, searchParams, withSession } from "@/lib/api";
import { db, replicaDb } from "@/lib/db";

// A chart's buckets (docs/api.md). The bucket is what the stored tiers serve for the range
// (docs/rollup-tiers.md); with `since`, only the buckets from it on are computed.
export const GET = withSession<{ id: string }>(async (request, session, params) => {
  const id = idParam(params.id, "device");
  const query = parse(readingsQuery, searchParams(request), "query");
  const device = await getDevice(db, session.user.id, id);
  if (!device) throw notFound("device not found");
  const bucketSeconds = chartBucketSeconds(query.from, query.to, query.bucket, {
    now: new Date(),
    rawRetentionDays: env.RAW_RETENTION_DAYS,
    minuteRetentionDays: env.MINUTE_RETENTION_DAYS,
  });
  const points = await rollupReadings(
    replicaDb,
    {
      ownerId: session.user.id,
      deviceId: id,
      metric: query.metric,
      from: query.since ? incrementalFrom(query.from, query.since, bucketSeconds) : query.from,
      to: query.to,
      bucketSeconds,
    },
    { statementTimeoutMs: env.CHART_STATEMENT_TIMEOUT_MS },
  );
  return json({
    metric: query.metric,
    bucketSeconds,
    from: query.from,
    to: query.to,
    ...(query.since ? { since: query.since } : {}),
    points,
  });
});
