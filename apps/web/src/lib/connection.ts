import "server-only";
import { env } from "@/env";
import type { ConnectionInfo } from "./commands";

/** Where and how devices connect, from PUBLIC_MQTT_URL, PUBLIC_INGEST_URL and MQTT_KEY_AS_USERNAME. */
export function connectionInfo(): ConnectionInfo {
  const mqtt = new URL(env.PUBLIC_MQTT_URL);
  return {
    mqttHost: mqtt.hostname,
    mqttPort: mqtt.port || (mqtt.protocol === "mqtts:" ? "8883" : "1883"),
    ingestUrl: env.PUBLIC_INGEST_URL.replace(/\/$/, ""),
    keyAsUsername: env.MQTT_KEY_AS_USERNAME,
  };
}
