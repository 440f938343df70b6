// The provisioning dialog's lines, run as shown against the real ingest (built-in broker): the
// mosquitto_pub line passes the key as username too, so a wrong key is refused at CONNECT.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { useTestDatabase } from "@pulseboard/devstack/test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  countReadings,
  provisionDevice,
  type RunningIngest,
  startIngest,
  until,
} from "../../apps/ingest/test/harness";
import { commandsFor } from "../../apps/web/src/lib/commands";

const database = useTestDatabase();
let ingest: RunningIngest;
const MOSQUITTO_PUB = "/usr/bin/mosquitto_pub";

beforeAll(async () => {
  ingest = await startIngest(database.current.url);
});
afterAll(() => ingest?.close());

function run(line: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile("bash", ["-c", line], { timeout: 10_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}${stderr}` });
    });
  });
}

function info() {
  const mqtt = new URL(ingest.mqttUrl);
  return { mqttHost: mqtt.hostname, mqttPort: mqtt.port, ingestUrl: ingest.httpUrl };
}

describe("provisioning lines", () => {
  it("the mosquitto_pub line names the key as username and topic", () => {
    const key = "dk_abcdefghijklmnopqrstuvwxyz012345";
    const { mqtt, curl } = commandsFor(key, {
      mqttHost: "mqtt.example.com",
      mqttPort: "1883",
      ingestUrl: "https://x",
    });
    expect(mqtt).toBe(
      `mosquitto_pub -h mqtt.example.com -p 1883 -u ${key} -q 1 -t 'devices/${key}/readings' -m '{"temperature": 21.5, "humidity": 40}'`,
    );
    expect(curl).toContain(`Authorization: Bearer ${key}`);
    // For a broker that refuses unknown usernames (the docker-compose Mosquitto): anonymous.
    const anonymous = commandsFor(key, {
      mqttHost: "h",
      mqttPort: "1883",
      ingestUrl: "",
      keyAsUsername: false,
    });
    expect(anonymous.mqtt).toBe(
      `mosquitto_pub -h h -p 1883 -q 1 -t 'devices/${key}/readings' -m '{"temperature": 21.5, "humidity": 40}'`,
    );
  });

  it.runIf(existsSync(MOSQUITTO_PUB))(
    "run as shown: stored with the right key, refused at connect with a wrong one",
    async () => {
      const { deviceId, key } = await provisionDevice(database.current.db);
      const good = await run(commandsFor(key, info()).mqtt);
      expect(good).toEqual({ code: 0, output: "" });
      await until(
        () => countReadings(database.current, deviceId),
        (n) => n === 2,
      );

      const wrong = `dk_${"x".repeat(32)}`;
      const refused = await run(commandsFor(wrong, info()).mqtt);
      expect(refused.code).not.toBe(0);
      // CONNACK 5, in Mosquitto's words.
      expect(refused.output).toMatch(/not authori[sz]ed/i);
    },
  );
});
