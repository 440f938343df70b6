// The demo account's devices: a greenhouse sensor and a wearable, provisioned once. Their keys
// are shown once to a real owner; for the demo they are kept beside the embedded data
// (.data/demo-devices.json, 0600) so the simulator can publish with them across restarts.
import { existsSync, readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import type { Database } from "@pulseboard/schema/client";
import { deviceKeyDigest, devices, generateDeviceKey } from "@pulseboard/schema/telemetry";
import { and, eq } from "drizzle-orm";
import { z } from "zod";

const DEMO_DEVICES = [
  { name: "Greenhouse sensor", profile: "environment" },
  { name: "Demo wearable", profile: "wearable" },
] as const;

const stored = z.array(
  z.object({ deviceId: z.uuid(), key: z.string(), profile: z.enum(["environment", "wearable"]) }),
);
export type DemoDevice = z.infer<typeof stored>[number];

/** Returns the demo devices with their keys, creating any that are missing (or whose key was lost). */
export async function ensureDemoDevices(
  db: Database,
  ownerId: string,
  dataDir: string,
): Promise<DemoDevice[]> {
  const file = `${dataDir}/demo-devices.json`;
  const known = existsSync(file) ? (stored.safeParse(JSON.parse(readFileSync(file, "utf8"))).data ?? []) : [];
  const result: DemoDevice[] = [];
  for (const { name, profile } of DEMO_DEVICES) {
    const candidate = known.find((d) => d.profile === profile);
    if (candidate) {
      const [row] = await db
        .select({ id: devices.id })
        .from(devices)
        .where(
          and(
            eq(devices.id, candidate.deviceId),
            eq(devices.ownerId, ownerId),
            eq(devices.deviceKey, deviceKeyDigest(candidate.key)),
          ),
        );
      if (row) {
        result.push(candidate);
        continue;
      }
    }
    const key = generateDeviceKey();
    const [created] = await db
      .insert(devices)
      .values({ ownerId, name, deviceKey: deviceKeyDigest(key) })
      .returning({ id: devices.id });
    if (!created) throw new Error(`could not create the demo device ${name}`);
    result.push({ deviceId: created.id, key, profile });
  }
  await writeFile(file, `${JSON.stringify(result, null, 2)}\n`, { mode: 0o600 });
  return result;
}
