// External broker mode (MQTT_URL): several subscriber connections with persistent sessions
// (fixed client ids, clean: false) in the shared group `$share/ingest/devices/+/readings`, so
// workers split the stream and the broker redelivers whatever was not acknowledged.
//
// mqtt.js handles a connection's packets one at a time and sends the PUBACK when its handler
// calls back, so holding that callback until commit would serialise each connection to one
// message per flush. Instead each message is handed to the writer and the handler returns at
// once; the PUBACK itself is held back until that message's rows are committed (and never sent
// if they are not — the broker then redelivers it on reconnect). Many messages per connection are
// in flight at once, up to MAX_UNCOMMITTED_PER_CONNECTION.
//
// The broker has acknowledged every message to its device already, so none is dropped for the
// device's rate: a message over it waits for its device's bucket (then is stored, then
// acknowledged), while the handler has returned and the other devices' messages flow past it. Its
// unacknowledged place in the broker's inflight window is what keeps it safe across a crash, and
// what one device may not fill: past `maxDelayedPerDevice` of a device's messages waiting, the next
// is stored at once (counted) rather than stalling the other devices or being dropped.
import type { Logger } from "@pulseboard/runtime/logger";
import mqtt, { type IClientOptions, type MqttClient, type Packet } from "mqtt";
import type { Intake } from "./intake";
import type { IngestMetrics } from "./metrics";
import { deviceKeyFromTopic } from "./mqtt-topics";

export const SHARED_SUBSCRIPTION = "$share/ingest/devices/+/readings";
/** Messages a subscriber connection holds uncommitted before it stops reading. */
export const MAX_UNCOMMITTED_PER_CONNECTION = 1000;

export interface ExternalSubscribersOptions {
  url: string;
  clientIdPrefix: string;
  connections: number;
  /** Messages of one device that may wait for its rate at once (MQTT_MAX_DELAYED_PER_DEVICE). */
  maxDelayedPerDevice: number;
  intake: Intake;
  log: Logger;
  metrics: IngestMetrics;
}

export interface ExternalSubscribers {
  /** True once every connection has subscribed. */
  readonly ready: boolean;
  stopAccepting(): void;
  close(): Promise<void>;
}

type SendPacket = (packet: Packet, callback?: (error?: Error) => void, ...rest: unknown[]) => void;

/**
 * Makes `client` send each PUBACK only when the promise registered for its message id settles
 * successfully. mqtt.js has no public hook for this; `_sendPacket` is the method its publish
 * handler calls for the PUBACK, and the one place to hold it.
 */
function deferPubacks(client: MqttClient, commits: Map<number, Promise<boolean>>): void {
  const internal = client as unknown as { _sendPacket: SendPacket };
  const send = internal._sendPacket.bind(client) as SendPacket;
  internal._sendPacket = (packet, callback, ...rest) => {
    const messageId = (packet as { messageId?: number }).messageId;
    const commit = packet.cmd === "puback" && messageId !== undefined ? commits.get(messageId) : undefined;
    if (!commit) return send(packet, callback, ...rest);
    commits.delete(messageId as number);
    // Let mqtt.js move on to the next packet now; the PUBACK follows the commit.
    callback?.();
    void commit.then((ack) => {
      if (ack && client.connected) send(packet, () => {});
    });
  };
}

export async function startExternalSubscribers(
  options: ExternalSubscribersOptions,
): Promise<ExternalSubscribers> {
  const { url, clientIdPrefix, connections, maxDelayedPerDevice, intake, log, metrics } = options;
  const mqttLog = log.child({ module: "mqtt" });
  let stopping = false;
  const clients: MqttClient[] = [];
  const subscribed = new Set<number>();

  for (let i = 0; i < connections; i++) {
    const commits = new Map<number, Promise<boolean>>();
    const clientOptions: IClientOptions = {
      clientId: `${clientIdPrefix}-${i}`,
      clean: false,
      protocolVersion: 4,
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
      resubscribe: true,
    };
    const client = mqtt.connect(url, clientOptions);
    deferPubacks(client, commits);
    const uncommitted = new Set<Promise<boolean>>();
    client.handleMessage = (packet, callback) => {
      if (packet.cmd === "publish") {
        const key = deviceKeyFromTopic(packet.topic);
        const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
        const work = key
          ? intake
              .storeDurably(
                "mqtt",
                key,
                payload,
                intake.receiveTime(key),
                () => stopping,
                maxDelayedPerDevice,
              )
              .then(
                // Committed, or refused for good (dropped and counted): acknowledge. Shutting
                // down with it uncommitted: no acknowledgement, so the broker redelivers it.
                (refusal) => refusal?.kind !== "unavailable",
                (err: unknown) => {
                  mqttLog.error({ err }, "message could not be stored");
                  return false;
                },
              )
          : Promise.resolve(true);
        if (packet.qos > 0 && packet.messageId !== undefined) commits.set(packet.messageId, work);
        uncommitted.add(work);
        void work.finally(() => uncommitted.delete(work));
        // Back-pressure: brokers do not always hold to their inflight window once acks start
        // flowing, so past MAX_UNCOMMITTED_PER_CONNECTION this connection stops reading (TCP
        // pushes back and the broker keeps the queue) until a commit frees a place.
        if (uncommitted.size >= MAX_UNCOMMITTED_PER_CONNECTION) {
          void Promise.race(uncommitted).finally(() => callback());
          return;
        }
      }
      callback();
    };
    client.on("connect", (connack) => {
      metrics.connectedClients.inc();
      // A resumed session keeps its subscription; subscribe anyway (idempotent) on a fresh one.
      if (!connack.sessionPresent || !subscribed.has(i)) {
        client.subscribe(SHARED_SUBSCRIPTION, { qos: 1 }, (err) => {
          if (err) mqttLog.error({ err, connection: i }, "subscribe failed");
          else subscribed.add(i);
        });
      }
    });
    client.on("close", () => {
      if (client.connected === false) metrics.connectedClients.set(clients.filter((c) => c.connected).length);
    });
    client.on("error", (err) => mqttLog.warn({ err: err.message, connection: i }, "broker connection error"));
    clients.push(client);
  }

  // Wait for the first subscription so a caller knows messages can flow; the rest follow.
  await new Promise<void>((resolve, reject) => {
    const started = Date.now();
    const check = setInterval(() => {
      if (subscribed.size === connections) {
        clearInterval(check);
        resolve();
      } else if (Date.now() - started > 15_000) {
        clearInterval(check);
        reject(
          new Error(
            `could not subscribe at MQTT_URL within 15s (${subscribed.size}/${connections} connections)`,
          ),
        );
      }
    }, 20);
  });
  mqttLog.info({ connections, subscription: SHARED_SUBSCRIPTION }, "subscribed to the external broker");

  return {
    get ready() {
      return subscribed.size === connections && clients.every((c) => c.connected);
    },
    stopAccepting() {
      stopping = true;
    },
    async close() {
      stopping = true;
      await Promise.all(clients.map((c) => c.endAsync()));
    },
  };
}
