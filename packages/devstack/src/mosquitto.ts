// A private Mosquitto for tests and benchmarks: a real external broker on a free port, with a
// config of its own (this machine's Mosquitto on 1883 is left alone), and the session clean-up
// an ingest's persistent shared-subscription sessions need afterwards.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { findFreePort } from "@pulseboard/runtime/ports";
import mqtt from "mqtt";
import { REPO_ROOT } from "./paths";
import { type SpawnedProcess, spawnProcess } from "./test/process";

export const MOSQUITTO_BINARY = ["/usr/sbin/mosquitto", "/usr/bin/mosquitto"].find((p) => existsSync(p));

export interface PrivateMosquitto {
  url: string;
  pid: number | undefined;
  description: string;
  stop(): Promise<void>;
}

/** Waits until an MQTT broker at `url` accepts a connection. */
export async function waitForBroker(url: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const probe = await mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 500 });
      await probe.endAsync();
      return;
    } catch (error) {
      if (Date.now() > deadline)
        throw new Error(`the MQTT broker at ${url} does not answer`, { cause: error });
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export interface MosquittoQueueSettings {
  maxInflightMessages: number;
  /** 0: no limit. */
  maxQueuedMessages: number;
}

/** The queue settings docker/mosquitto/mosquitto.conf ships, for a private broker configured alike. */
export function shippedMosquittoSettings(): MosquittoQueueSettings {
  const conf = readFileSync(`${REPO_ROOT}docker/mosquitto/mosquitto.conf`, "utf8");
  const setting = (name: string) => {
    const value = new RegExp(`^${name} (\\d+)$`, "m").exec(conf)?.[1];
    if (value === undefined) throw new Error(`docker/mosquitto/mosquitto.conf sets no ${name}`);
    return Number(value);
  };
  return {
    maxInflightMessages: setting("max_inflight_messages"),
    maxQueuedMessages: setting("max_queued_messages"),
  };
}

export async function startPrivateMosquitto(
  options: { maxInflightMessages?: number; maxQueuedMessages?: number } = {},
): Promise<PrivateMosquitto> {
  if (!MOSQUITTO_BINARY) throw new Error("no Mosquitto binary (apt-get install mosquitto)");
  const port = await findFreePort();
  const dir = mkdtempSync("/tmp/pulseboard-mosquitto-");
  const inflight = options.maxInflightMessages ?? 100;
  const queued = options.maxQueuedMessages ?? 1_000_000;
  writeFileSync(
    `${dir}/mosquitto.conf`,
    [
      `listener ${port} 127.0.0.1`,
      "allow_anonymous true",
      "persistence false",
      `max_inflight_messages ${inflight}`,
      `max_queued_messages ${queued}`,
      "",
    ].join("\n"),
  );
  const proc: SpawnedProcess = spawnProcess(MOSQUITTO_BINARY, ["-c", `${dir}/mosquitto.conf`], {
    cwd: dir,
    env: { PATH: process.env.PATH },
  });
  const url = `mqtt://127.0.0.1:${port}`;
  const stop = async () => {
    await proc.stop(5000);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForBroker(url);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url,
    pid: proc.child.pid,
    description: `private ${MOSQUITTO_BINARY} (max_inflight_messages ${inflight}, max_queued_messages ${queued})`,
    stop,
  };
}

/** Ends the persistent sessions of these client ids, so the broker keeps nothing queued for them. */
export async function forgetMqttSessions(url: string, clientIds: string[]): Promise<void> {
  for (const clientId of clientIds) {
    const client = await mqtt.connectAsync(url, { clientId, clean: true, reconnectPeriod: 0 });
    await client.endAsync();
  }
}
