// A real external broker for tests: MQTT_TEST_BROKER_URL when set (CI points it at this machine's
// Mosquitto), otherwise a private Mosquitto on a free port when the binary is installed.
import {
  forgetMqttSessions,
  MOSQUITTO_BINARY,
  startPrivateMosquitto,
  waitForBroker,
} from "@pulseboard/devstack/mosquitto";

export const externalBrokerAvailable = Boolean(process.env.MQTT_TEST_BROKER_URL || MOSQUITTO_BINARY);

export interface ExternalBroker {
  url: string;
  /** Ends the persistent sessions of these client ids (so nothing stays queued for them). */
  forgetSessions(clientIds: string[]): Promise<void>;
  stop(): Promise<void>;
}

export async function startExternalBroker(): Promise<ExternalBroker> {
  const given = process.env.MQTT_TEST_BROKER_URL;
  if (given) await waitForBroker(given);
  const broker = given ? undefined : await startPrivateMosquitto();
  const url = given ?? broker?.url ?? "";
  return {
    url,
    forgetSessions: (clientIds) => forgetMqttSessions(url, clientIds),
    stop: async () => {
      await broker?.stop();
    },
  };
}
