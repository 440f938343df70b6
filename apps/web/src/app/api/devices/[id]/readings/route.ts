import { getDevice } from "@pulseboard/schema/queries/devices";
import { chooseBucketSeconds, rollupReadings } from "@pulseboard/schema/queries/rollups";
import { readingsQuery } from "@pulseboard/schema/telemetry";
import { idParam, json, notFound, parse, searchParams, withSession } from "@/lib/api";
import { db, replicaDb } from "@/lib/db";

export const GET = withSession<{ id: string }>(async (request, session, params) => {
  const id = idParam(params.id, "device");
  const query = parse(readingsQuery, searchParams(request), "query");
  const device = await getDevice(db, session.user.id, id);
  if (!device) throw notFound("device not found");
  const bucketSeconds = chooseBucketSeconds(query.from, query.to, query.bucket);
  const points = await rollupReadings(replicaDb, {
    ownerId: session.user.id,
    deviceId: id,
    metric: query.metric,
    from: query.from,
    to: query.to,
    bucketSeconds,
  });
  return json({ metric: query.metric, bucketSeconds, from: query.from, to: query.to, points });
});
