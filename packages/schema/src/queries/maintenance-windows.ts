// An owner's maintenance windows (docs/notifications.md): one-off or weekly, for one device or
// every device with a tag. Inside one, alerts are evaluated and recorded but their notices are
// held until it ends (../maintenance-window.ts decides membership; queries/notices.ts holds).
// Scoped by owner in the query itself; a window names only the owner's own device.
import { and, desc, eq, or, sql } from "drizzle-orm";
import type { Database } from "../client";
import { NotFoundError } from "../errors";
import { type MaintenanceSchedule, maintenanceAt } from "../maintenance-window";
import { devices, type MaintenanceWindow, maintenanceWindows } from "../schema/telemetry";
import { recheckHeldNotices } from "./notices";

export type NewMaintenanceWindow = { name: string } & ({ deviceId: string } | { tag: string }) &
  (
    | { kind: "once"; startsAt: Date; endsAt: Date }
    | { kind: "weekly"; days: number[]; startTime: string; endTime: string; timeZone: string }
  );

/** The schedule a stored window describes. */
export function scheduleOf(
  w: Pick<MaintenanceWindow, "kind" | "startsAt" | "endsAt" | "days" | "startTime" | "endTime" | "timeZone">,
): MaintenanceSchedule {
  return w.kind === "once"
    ? { kind: "once", startsAt: w.startsAt ?? new Date(Number.NaN), endsAt: w.endsAt ?? new Date(Number.NaN) }
    : {
        kind: "weekly",
        days: w.days ?? [],
        startTime: w.startTime ?? "",
        endTime: w.endTime ?? "",
        timeZone: w.timeZone ?? "UTC",
      };
}

export async function createMaintenanceWindow(
  db: Database,
  ownerId: string,
  input: NewMaintenanceWindow,
): Promise<MaintenanceWindow> {
  if ("deviceId" in input) {
    const [device] = await db
      .select({ id: devices.id })
      .from(devices)
      .where(and(eq(devices.id, input.deviceId), eq(devices.ownerId, ownerId)));
    if (!device) throw new NotFoundError("device not found");
  }
  const [row] = await db
    .insert(maintenanceWindows)
    .values({
      ownerId,
      name: input.name,
      deviceId: "deviceId" in input ? input.deviceId : null,
      tag: "tag" in input ? input.tag : null,
      kind: input.kind,
      ...(input.kind === "once"
        ? { startsAt: input.startsAt, endsAt: input.endsAt }
        : { days: input.days, startTime: input.startTime, endTime: input.endTime, timeZone: input.timeZone }),
    })
    .returning();
  if (!row) throw new Error("maintenance window was not saved");
  return row;
}

/** The owner's windows, newest first; with `deviceId`, those that apply to that device (its own and its tags'). */
export async function listMaintenanceWindows(
  db: Database,
  ownerId: string,
  { deviceId }: { deviceId?: string } = {},
): Promise<MaintenanceWindow[]> {
  const forDevice = deviceId
    ? or(
        eq(maintenanceWindows.deviceId, deviceId),
        sql`lower(${maintenanceWindows.tag}) in (select lower(t) from devices, unnest(tags) t where id = ${deviceId} and owner_id = ${ownerId})`,
      )
    : undefined;
  return db
    .select()
    .from(maintenanceWindows)
    .where(and(eq(maintenanceWindows.ownerId, ownerId), forDevice))
    .orderBy(desc(maintenanceWindows.createdAt), desc(maintenanceWindows.id));
}

/** Deletes a window; the notices it held are looked at again at the next sweep (sent, unless another hold remains). */
export function deleteMaintenanceWindow(db: Database, ownerId: string, id: string): Promise<void> {
  return db.$client.begin(async (tx) => {
    const deleted =
      await tx`delete from maintenance_windows where owner_id = ${ownerId} and id = ${id} returning id`;
    if (deleted.length === 0) throw new NotFoundError("maintenance window not found");
    await recheckHeldNotices(tx, { ownerId, maintenance: true });
  });
}

/** Whether a device is in maintenance at `now`, and until when (its own windows and its tags'). */
export async function deviceMaintenance(
  db: Database,
  ownerId: string,
  deviceId: string,
  now = new Date(),
): Promise<{ name: string; until: Date } | undefined> {
  const windows = await listMaintenanceWindows(db, ownerId, { deviceId });
  const active = maintenanceAt(
    windows.map((w) => ({ name: w.name, schedule: scheduleOf(w) })),
    now,
  );
  return active ? { name: active.window.name, until: active.until } : undefined;
}
