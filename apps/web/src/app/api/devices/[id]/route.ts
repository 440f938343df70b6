import { deleteDevice, getDevice, updateDevice } from "@pulseboard/schema/queries/devices";
import { latestValues } from "@pulseboard/schema/queries/latest";
import { deviceRejections } from "@pulseboard/schema/queries/rejections";
import { updateDeviceBody } from "@pulseboard/schema/telemetry";
import { idParam, json, notFound, parse, readJson, withSession } from "@/lib/api";
import { db } from "@/lib/db";

export const GET = withSession<{ id: string }>(async (_request, session, params) => {
  const id = idParam(params.id, "device");
  const device = await getDevice(db, session.user.id, id);
  if (!device) throw notFound("device not found");
  const [metrics, rejections] = await Promise.all([
    latestValues(db, session.user.id, id),
    deviceRejections(db, session.user.id, id),
  ]);
  return json({
    ...device,
    metrics: metrics.map(({ metric, value, recordedAt }) => ({ metric, value, recordedAt })),
    // Messages the ingest refused: per reason over the last 24 h, and the latest one.
    rejections,
  });
});

export const DELETE = withSession<{ id: string }>(async (_request, session, params) => {
  const id = idParam(params.id, "device");
  if (!(await deleteDevice(db, session.user.id, id))) throw notFound("device not found");
  return new Response(null, { status: 204 });
});

/** Rename, offline timeout, tags: any of them. */
export const PATCH = withSession<{ id: string }>(async (request, session, params) => {
  const id = idParam(params.id, "device");
  const body = parse(updateDeviceBody, await readJson(request), "device");
  return json(await updateDevice(db, session.user.id, id, body));
});
