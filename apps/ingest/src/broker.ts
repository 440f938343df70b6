// The built-in broker (no MQTT_URL): Aedes on TCP and on WebSocket. It is not a general broker:
// devices publish to `devices/<device_key>/readings` and that is all. For QoS 1, Aedes sends the
// PUBACK after `authorizePublish` calls back, so holding that callback until the batch commits is
// a true ack-after-commit, while other messages keep flowing. Over a device's rate, QoS 0 is dropped
// and counted; QoS 1 is held (and its PUBACK with it) until the device's bucket admits it.
//
// Anonymous CONNECT is part of the protocol, so what a client costs before it proves a key is
// bounded: every packet's announced length is checked on the bytes as they arrive (frame-guard.ts),
// a connection that sends no CONNECT within MQTT_CONNECT_TIMEOUT_MS is closed, an address holds at
// most MQTT_MAX_CONNECTIONS_PER_ADDRESS connections, and `$SYS/#` is not for devices.
import type { IncomingMessage } from "node:http";
import { createServer, type Socket } from "node:net";
import type { Duplex } from "node:stream";
import { listen } from "@pulseboard/runtime/http";
import type { Logger } from "@pulseboard/runtime/logger";
import type { PortClaim } from "@pulseboard/runtime/ports";
import {
  Aedes,
  type AuthenticateHandler,
  type AuthorizePublishHandler,
  type AuthorizeSubscribeHandler,
  type Client,
  type PublishPacket,
} from "aedes";
import { createWebSocketStream, WebSocketServer } from "ws";
import { ConnectionsPerAddress } from "./connection-limits";
import { FrameRefusedError, guardFrames } from "./frame-guard";
import type { Intake } from "./intake";
import type { IngestMetrics } from "./metrics";
import { maxRemainingLength } from "./mqtt-frame";
import { deviceKeyFromTopic, isForbiddenSubscription, isReadingsTopic, topicForLog } from "./mqtt-topics";

export interface BuiltInBrokerOptions {
  intake: Intake;
  log: Logger;
  metrics: IngestMetrics;
  tcp: PortClaim;
  ws: PortClaim;
  /** The largest payload accepted (INGEST_MAX_BODY_BYTES, as over HTTP). */
  maxBodyBytes: number;
  /** A connection that sends no CONNECT within this is closed. */
  connectTimeoutMs: number;
  /** Concurrent connections one remote address may hold (TCP and WebSocket together). */
  maxConnectionsPerAddress: number;
  /**
   * How often connected clients' keys are checked again: a client whose key is no longer accepted
   * (its device deleted, its key replaced and the grace over) is disconnected.
   */
  keyRecheckMs: number;
}

export interface BuiltInBroker {
  readonly listening: boolean;
  /** Stops accepting connections; connected devices keep their pending acknowledgements. */
  stopAccepting(): void;
  /** Closes every connection and the broker. */
  close(): Promise<void>;
}

class RefusedError extends Error {}

/**
 * Aedes routes every accepted PUBLISH to subscribers (an offline-queue lookup, a topic match, a
 * `publish` event) after its PUBACK. Nobody may subscribe to a readings topic here
 * (isForbiddenSubscription), so for a device's reading that routing finds no one: it is skipped.
 * What the broker publishes itself ($SYS) and what clients publish elsewhere route as before.
 */
class IngestBroker extends Aedes {
  override publish(
    packet: PublishPacket,
    clientOrDone: Client | null | ((error?: Error) => void),
    done?: (error?: Error) => void,
  ): void {
    if (typeof clientOrDone === "object" && clientOrDone !== null && isReadingsTopic(packet.topic)) {
      done?.();
      return;
    }
    // Aedes calls publish(packet, client, done) internally; its typings know only (packet, done).
    (super.publish as (...args: unknown[]) => void)(packet, clientOrDone, done);
  }
}

export async function startBuiltInBroker({
  intake,
  log,
  metrics,
  tcp,
  ws,
  maxBodyBytes,
  connectTimeoutMs,
  maxConnectionsPerAddress,
  keyRecheckMs,
}: BuiltInBrokerOptions): Promise<BuiltInBroker> {
  const mqttLog = log.child({ module: "mqtt" });
  let stopping = false;
  const isStopping = () => stopping;
  // A client that connected with a device key as its username is that device: it may publish to
  // its own topic only. Anonymous clients are identified by the key in each topic (the protocol).
  const bound = new WeakMap<Client, { key: string; deviceId: string }>();
  // The key each connected client identified itself with (its username, or the topic it last
  // published to), so that clients still connected with a key no longer accepted are closed.
  // Entered only for clients Aedes registered (the `client` event) and not closed, so that every
  // entry leaves with its client's `clientDisconnect`: a connection dropped while its key was
  // being looked up never registers, and must not stay here.
  const keyOf = new Map<Client, string>();

  const authenticate: AuthenticateHandler = (client, username, _password, callback) => {
    if (!username) return callback(null, true);
    intake.resolveKey(username).then(
      (device) => {
        if (!device) {
          // CONNACK 5 "not authorized": the device learns at once that its key is wrong.
          intake.reject("mqtt", "unknown_key", undefined, "unknown or malformed device key as username");
          const error = Object.assign(new Error("unknown device key"), { returnCode: 5 as const });
          return callback(error, false);
        }
        bound.set(client, { key: username, deviceId: device.deviceId });
        callback(null, true);
      },
      () => {
        // Database unavailable: "server unavailable", the device retries its connect.
        callback(Object.assign(new Error("server unavailable"), { returnCode: 3 as const }), false);
      },
    );
  };

  const authorizePublish: AuthorizePublishHandler = (client, packet, callback) => {
    const key = deviceKeyFromTopic(packet.topic);
    const device = client ? bound.get(client) : undefined;
    if (!client || !key) {
      // Counted for the device when it said who it is; anonymous, in the metrics only.
      if (device)
        intake.reject("mqtt", "bad_topic", device.deviceId, "publish to devices/<device_key>/readings only");
      else metrics.rejected.inc({ transport: "mqtt", reason: "bad_topic" });
      return callback(new RefusedError("publish only to devices/<device_key>/readings"));
    }
    if (device !== undefined && device.key !== key) {
      intake.reject("mqtt", "foreign_topic", device.deviceId, "published to another device's topic");
      return callback(new RefusedError("a device publishes to its own topic only"));
    }
    if (!client.closed && keyOf.has(client) && keyOf.get(client) !== key) keyOf.set(client, key);
    // Readings are stored, not kept as retained messages (whose topics would hold the key).
    packet.retain = false;
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    if (payload.length > maxBodyBytes) {
      // Past the HTTP limit but within the frame allowance: refused the same way (HTTP's 413).
      metrics.rejected.inc({ transport: "mqtt", reason: "too_large" });
      return callback(new RefusedError(`payload over ${maxBodyBytes} bytes`));
    }
    const receivedAt = intake.receiveTime(key);
    const done = (refusal: Awaited<ReturnType<Intake["storeDurably"]>>) => {
      if (!refusal) return callback(null);
      switch (refusal.kind) {
        case "unknown_key":
          // Refused: the connection is closed (MQTT 3.1.1 has no negative PUBACK).
          return callback(new RefusedError("unknown device key"));
        case "unavailable":
          // Shutting down with the message uncommitted: no PUBACK, the device sends it again.
          return callback(new RefusedError("shutting down"));
        default:
          // Invalid: dropped, counted and logged; acknowledged so the device does not resend a
          // message that will never be accepted. (Over the rate, QoS 1 is not refused: it waits
          // for its device's bucket, and this callback, hence the PUBACK, waits with it.)
          return callback(null);
      }
    };
    if (packet.qos === 0) {
      // Nothing to acknowledge: hand it to the writer and move on (QoS 0 is at most once). An
      // unknown key closes the connection all the same, once the key has been looked up.
      intake
        .prepare("mqtt", key, payload, receivedAt)
        .then(async (prepared) => {
          if (prepared.kind === "unknown_key") client.close();
          else if (prepared.kind === "prepared") await intake.store("mqtt", prepared);
        })
        .catch((err: unknown) => mqttLog.error({ err }, "QoS 0 message could not be stored"));
      return callback(null);
    }
    // Over the device's rate the message waits its turn before it is stored, and so does its
    // PUBACK; Aedes reads nothing more from this connection until the packets it is handling are
    // done, so a device flooding QoS 1 is slowed to its rate, holding no more than one read.
    intake.storeDurablyThen("mqtt", key, payload, receivedAt, isStopping, (refusal, err) => {
      if (err === undefined) return done(refusal);
      mqttLog.error({ err }, "message could not be stored");
      callback(new RefusedError("internal error"));
    });
  };

  const authorizeSubscribe: AuthorizeSubscribeHandler = (_client, subscription, callback) => {
    if (isForbiddenSubscription(subscription.topic)) {
      mqttLog.warn({ filter: topicForLog(subscription.topic) }, "subscription refused");
      return callback(null, null);
    }
    callback(null, subscription);
  };

  const broker = new IngestBroker({
    authenticate,
    authorizePublish,
    authorizeSubscribe,
    connectTimeout: connectTimeoutMs,
  });
  await broker.listen();
  broker.on("client", (client) => {
    // Anonymous clients enter with no key yet (""), and take the key of the topic they publish to.
    if (!client.closed) keyOf.set(client, bound.get(client)?.key ?? "");
    metrics.connectedClients.set(broker.connectedClients);
  });
  broker.on("clientDisconnect", (client) => {
    keyOf.delete(client);
    metrics.connectedClients.set(broker.connectedClients);
  });

  // Keys are looked up through the resolver's cache, so a recheck costs a query only for keys
  // whose cache entry ended (a replaced key's entry ends with its grace).
  const recheckKeys = async () => {
    const clientsByKey = new Map<string, Client[]>();
    for (const [client, key] of keyOf) {
      if (key === "") continue;
      const list = clientsByKey.get(key);
      if (list) list.push(client);
      else clientsByKey.set(key, [client]);
    }
    let closed = 0;
    await Promise.all(
      [...clientsByKey].map(async ([key, clients]) => {
        // The database being unavailable disconnects nobody.
        const device = await intake.resolveKey(key).catch(() => undefined);
        if (device !== null) return;
        for (const client of clients) {
          // A client that has since published with another key is judged by that one next time.
          if (keyOf.get(client) !== key) continue;
          keyOf.delete(client);
          client.close();
          closed++;
        }
      }),
    );
    if (closed > 0)
      mqttLog.info({ clients: closed }, "disconnected clients whose device key is no longer accepted");
  };
  let rechecking = false;
  const recheckTimer = setInterval(() => {
    if (rechecking || keyOf.size === 0) return;
    rechecking = true;
    void recheckKeys().finally(() => {
      rechecking = false;
    });
  }, keyRecheckMs);
  recheckTimer.unref();
  const quietErrors = (err: Error): boolean =>
    err instanceof RefusedError || err instanceof FrameRefusedError;
  broker.on("clientError", (_client, err) => {
    if (!quietErrors(err)) mqttLog.debug({ err: err.message }, "client error");
  });
  broker.on("connectionError", (_client, err) => {
    if (!quietErrors(err)) mqttLog.debug({ err: err.message }, "connection error");
  });

  const maxRemaining = maxRemainingLength(maxBodyBytes);
  const perAddress = new ConnectionsPerAddress(maxConnectionsPerAddress);
  let refusedAddresses = 0;
  /** Hands a connection to Aedes behind the frame guard, or closes it when its address is full. */
  const accept = (stream: Duplex, socket: Socket, req?: IncomingMessage) => {
    const address = socket.remoteAddress;
    if (!perAddress.acquire(address)) {
      // Logged at most once per 100 refusals: a client retrying in a loop must not flood the log.
      if (refusedAddresses++ % 100 === 0)
        mqttLog.warn(
          { limit: maxConnectionsPerAddress, refused: refusedAddresses },
          "connection refused: too many from one address",
        );
      stream.destroy();
      return;
    }
    socket.once("close", () => perAddress.release(address));
    const guarded = guardFrames(stream, maxRemaining, (verdict) => {
      metrics.rejected.inc({ transport: "mqtt", reason: verdict.reason });
    });
    broker.handle(guarded, req);
  };

  const tcpServer = createServer((socket) => accept(socket, socket));
  const { createServer: createHttpServer } = await import("node:http");
  // A socket that never completes its upgrade request is closed like one that never sends CONNECT.
  const upgradeTimeouts = {
    headersTimeout: connectTimeoutMs,
    requestTimeout: connectTimeoutMs,
    connectionsCheckingInterval: Math.min(connectTimeoutMs, 30_000),
  };
  const httpServer = createHttpServer(upgradeTimeouts, (_req, res) => {
    res.writeHead(426, { "content-type": "text/plain" }).end("MQTT over WebSocket: upgrade required\n");
  });
  // One WebSocket message holds at most one packet of the largest size (5 bytes of fixed header);
  // the ws default (100 MiB) would buffer a huge message before the frame guard sees a byte.
  const wss = new WebSocketServer({ server: httpServer, maxPayload: maxRemaining + 5 });
  wss.on("connection", (socket, req) => {
    accept(createWebSocketStream(socket), req.socket, req);
  });

  await listen(tcpServer, tcp);
  try {
    await listen(httpServer, ws);
  } catch (error) {
    tcpServer.close();
    throw error;
  }
  mqttLog.info({ port: tcp.port, wsPort: ws.port }, "built-in MQTT broker listening");
  let tcpClosed: Promise<void> | undefined;
  let httpClosed: Promise<void> | undefined;

  const stopAccepting = () => {
    stopping = true;
    tcpClosed ??= new Promise<void>((resolve) => tcpServer.close(() => resolve()));
    httpClosed ??= new Promise<void>((resolve) => httpServer.close(() => resolve()));
  };
  return {
    get listening() {
      return tcpServer.listening && httpServer.listening;
    },
    stopAccepting,
    async close() {
      clearInterval(recheckTimer);
      stopAccepting();
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      for (const client of wss.clients) client.terminate();
      await Promise.all([tcpClosed, httpClosed]);
    },
  };
}
