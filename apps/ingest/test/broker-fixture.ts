// A real external broker for tests: MQTT_TEST_BROKER_URL when set (CI points it at this machine's
// Mosquitto), otherwise a private Mosquitto on a free port when the binary is installed.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { type SpawnedProcess, spawnProcess } from "@pulseboard/devstack/test/process";
import { findFreePort } from "@pulseboard/runtime/ports";
import mqtt from "mqtt";

const MOSQUITTO = ["/usr/sbin/mosquitto", "/usr/bin/mosquitto"].find((p) => existsSync(p));

export const externalBrokerAvailable = Boolean(process.env.MQTT_TEST_BROKER_URL || MOSQUITTO);

export interface ExternalBroker {
  url: string;
  /** Ends the persistent sessions of these client ids (so nothing stays queued for them). */
  forgetSessions(clientIds: string[]): Promise<void>;
  stop(): Promise<void>;
}

export async function startExternalBroker(): Promise<ExternalBroker> {
  let url = process.env.MQTT_TEST_BROKER_URL;
  let proc: SpawnedProcess | undefined;
  let dir: string | undefined;
  if (!url) {
    if (!MOSQUITTO) throw new Error("no Mosquitto binary and no MQTT_TEST_BROKER_URL");
    const port = await findFreePort();
    dir = mkdtempSync("/tmp/pulseboard-mosquitto-");
    writeFileSync(
      `${dir}/mosquitto.conf`,
      [
        `listener ${port} 127.0.0.1`,
        "allow_anonymous true",
        "persistence false",
        "max_inflight_messages 100",
        "max_queued_messages 100000",
        "",
      ].join("\n"),
    );
    proc = spawnProcess(MOSQUITTO, ["-c", `${dir}/mosquitto.conf`], {
      cwd: dir,
      env: { PATH: process.env.PATH },
    });
    url = `mqtt://127.0.0.1:${port}`;
    for (let i = 0; i < 50; i++) {
      try {
        const probe = await mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 500 });
        await probe.endAsync();
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }
  const brokerUrl = url;
  return {
    url: brokerUrl,
    async forgetSessions(clientIds) {
      for (const clientId of clientIds) {
        const c = await mqtt.connectAsync(brokerUrl, { clientId, clean: true, reconnectPeriod: 0 });
        await c.endAsync();
      }
    },
    async stop() {
      await proc?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
