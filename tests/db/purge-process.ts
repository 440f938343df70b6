// One purgeDeletedDevices call in a process of its own, for the test that kills it midway
// (device-purge.test.ts): DATABASE_URL, and the options as JSON in PURGE_OPTIONS. Prints the
// result's figures as one JSON line.
import { createDb, createPooledClient } from "@pulseboard/schema/client";
import { purgeDeletedDevices } from "@pulseboard/schema/queries/device-purge";

const sql = createPooledClient(process.env.DATABASE_URL ?? "", {
  max: 1,
  applicationName: "pb-purge-process",
});
try {
  const result = await purgeDeletedDevices(createDb(sql), JSON.parse(process.env.PURGE_OPTIONS ?? "{}"));
  console.log(JSON.stringify({ rows: result.rows, finished: result.finished, failed: result.failed.length }));
} finally {
  await sql.end({ timeout: 5 });
}
