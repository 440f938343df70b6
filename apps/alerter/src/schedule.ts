// `pnpm alerter:schedule`: creates, or updates in place, the QStash cron schedule that calls
// /v1/sweep. Idempotent: the schedule has a fixed id, so running it again changes nothing new.
import { errorMessage } from "@pulseboard/runtime/errors";
import { Client } from "@upstash/qstash";
import { loadScheduleEnv } from "./env";

export const SWEEP_SCHEDULE_ID = "pulseboard-sweep";

export async function ensureSweepSchedule(
  client: Client,
  { publicUrl, cron }: { publicUrl: string; cron: string },
): Promise<string> {
  const { scheduleId } = await client.schedules.create({
    scheduleId: SWEEP_SCHEDULE_ID,
    destination: new URL("/v1/sweep", publicUrl).toString(),
    cron,
    body: "{}",
    headers: { "content-type": "application/json" },
    // A missed sweep is covered by the next one.
    retries: 0,
  });
  return scheduleId;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const env = loadScheduleEnv();
  const client = new Client({
    token: env.QSTASH_TOKEN,
    ...(env.QSTASH_URL ? { baseUrl: env.QSTASH_URL } : {}),
  });
  try {
    const id = await ensureSweepSchedule(client, { publicUrl: env.ALERTER_PUBLIC_URL, cron: env.SWEEP_CRON });
    console.log(
      `schedule ${id}: POST ${new URL("/v1/sweep", env.ALERTER_PUBLIC_URL)} on "${env.SWEEP_CRON}"`,
    );
  } catch (error) {
    console.error(`alerter:schedule: ${errorMessage(error)}`);
    process.exit(1);
  }
}
