// Ready-to-paste lines for a new device key, shown once in the provisioning dialog.

export interface ConnectionInfo {
  mqttHost: string;
  mqttPort: string;
  ingestUrl: string;
  /**
   * Whether the MQTT line passes the key as username (default): the built-in broker checks it at
   * connect. Off for a broker that refuses usernames it does not know, as the docker-compose
   * Mosquitto does (its password file holds only the ingest's user).
   */
  keyAsUsername?: boolean;
}

/**
 * A `mosquitto_pub` and a `curl` line publishing one reading with `key`. The MQTT line passes the
 * key as username too, so a wrong key is refused at connect ("not authorized") instead of the
 * connection being dropped after the publish.
 */
export function commandsFor(key: string, info: ConnectionInfo) {
  const body = '{"temperature": 21.5, "humidity": 40}';
  const user = info.keyAsUsername === false ? "" : ` -u ${key}`;
  return {
    mqtt: `mosquitto_pub -h ${info.mqttHost} -p ${info.mqttPort}${user} -q 1 -t 'devices/${key}/readings' -m '${body}'`,
    curl: `curl -X POST ${info.ingestUrl}/v1/readings -H 'Authorization: Bearer ${key}' -H 'Content-Type: application/json' -d '${body}'`,
  };
}
