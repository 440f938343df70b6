// A bare MQTT 3.1.1 publisher for load generation (transport `{ kind: "mqtt", client: "lean" }`):
// one TCP connection, CONNECT, then PUBLISH packets (QoS 0 or 1) whose PUBACKs settle them.
// Packets are encoded and parsed by mqtt-packet, the codec mqtt.js and Aedes use; what it leaves
// out is mqtt.js's client machinery (outgoing store, reconnects, keep-alive, per-packet streams),
// which costs a load generator about 50 µs a message. Benchmarks run the generator on the cores
// of what they measure, so that cost is taken from the ingest. No reconnect: a lost connection
// fails its outstanding and later messages, which the simulator counts.
import { type Socket, connect as tcpConnect } from "node:net";
import { generate, parser as packetParser } from "mqtt-packet";

export class LeanMqttError extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

interface Waiting {
  resolve: () => void;
  reject: (error: Error) => void;
}

export interface LeanMqttOptions {
  clientId: string;
  connectTimeoutMs: number;
  /** Called once the connection is lost after it was established (not on close()). */
  onClose?: () => void;
}

export class LeanMqttPublisher {
  connected = false;
  private closing = false;
  private nextId = 0;
  private readonly waiting = new Map<number, Waiting>();

  private constructor(private readonly socket: Socket) {}

  /** Connects and waits for a CONNACK; rejects with `mqtt_<code>` or `mqtt_connack_<n>`. */
  static connect(url: string, options: LeanMqttOptions): Promise<LeanMqttPublisher> {
    const { hostname, port, protocol } = new URL(url);
    if (protocol !== "mqtt:") return Promise.reject(new LeanMqttError("mqtt_unsupported_url"));
    const socket = tcpConnect({ host: hostname, port: Number(port || 1883), noDelay: true });
    const client = new LeanMqttPublisher(socket);
    const parser = packetParser({ protocolVersion: 4 });
    socket.on("data", (chunk: Buffer) => parser.parse(chunk));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => fail(new LeanMqttError("mqtt_connect_timeout")),
        options.connectTimeoutMs,
      );
      const fail = (error: Error) => {
        clearTimeout(timer);
        socket.destroy();
        reject(error);
      };
      socket.once("connect", () => {
        socket.write(generate({ cmd: "connect", clientId: options.clientId, clean: true, keepalive: 0 }));
      });
      socket.on("error", (error: Error & { code?: string }) => {
        if (!client.connected) fail(new LeanMqttError(`mqtt_${error.code ?? "error"}`));
      });
      socket.on("close", () => {
        if (!client.connected) return fail(new LeanMqttError("mqtt_closed"));
        client.connected = false;
        // After close(), outstanding messages stay unsettled: the simulator gives them up (abandoned).
        if (client.closing) return client.waiting.clear();
        client.failAll("mqtt_publish_failed");
        options.onClose?.();
      });
      parser.on("error", () => socket.destroy());
      parser.on("packet", (packet) => {
        if (packet.cmd === "connack") {
          if (packet.returnCode !== 0) return fail(new LeanMqttError(`mqtt_connack_${packet.returnCode}`));
          clearTimeout(timer);
          client.connected = true;
          resolve(client);
        } else if (packet.cmd === "puback" && packet.messageId !== undefined) {
          const waiting = client.waiting.get(packet.messageId);
          client.waiting.delete(packet.messageId);
          waiting?.resolve();
        }
      });
    });
  }

  /** Resolves at the PUBACK (QoS 1) or once written (QoS 0). */
  publish(topic: string, payload: string, qos: 0 | 1): Promise<void> {
    if (!this.connected) return Promise.reject(new LeanMqttError("mqtt_not_connected"));
    return new Promise((resolve, reject) => {
      if (qos === 0) {
        this.socket.write(
          generate({ cmd: "publish", topic, payload, qos, retain: false, dup: false }),
          (error) => (error ? reject(new LeanMqttError("mqtt_publish_failed")) : resolve()),
        );
        return;
      }
      const messageId = this.freeMessageId();
      if (messageId === undefined) return reject(new LeanMqttError("mqtt_too_many_in_flight"));
      this.waiting.set(messageId, { resolve, reject });
      this.socket.write(
        generate({ cmd: "publish", topic, payload, qos, messageId, retain: false, dup: false }),
      );
    });
  }

  /** Disconnects; outstanding messages are left unsettled. */
  close(): Promise<void> {
    this.closing = true;
    if (this.socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once("close", () => resolve());
      if (this.connected) this.socket.end(generate({ cmd: "disconnect" }));
      else this.socket.destroy();
      setTimeout(() => this.socket.destroy(), 1_000).unref();
    });
  }

  private freeMessageId(): number | undefined {
    for (let tries = 0; tries < 65_535; tries++) {
      this.nextId = (this.nextId % 65_535) + 1;
      if (!this.waiting.has(this.nextId)) return this.nextId;
    }
    return undefined;
  }

  private failAll(reason: string): void {
    for (const waiting of this.waiting.values()) waiting.reject(new LeanMqttError(reason));
    this.waiting.clear();
  }
}
