import "server-only";
import { env } from "@/env";
import type { ConnectionInfo } from "./commands";

/** Where devices connect, from PUBLIC_MQTT_URL and PUBLIC_INGEST_URL. */
export function connectionInfo(): ConnectionInfo {
  const mqtt = new URL(env.PUBLIC_MQTT_URL);
  return {
    mqttHost: mqtt.hostname,
    mqttPort: mqtt.port || (mqtt.protocol === "mqtts:" ? "8883" : "1883"),
    ingestUrl: env.PUBLIC_INGEST_URL.replace(/\/$/, ""),
  };
}
