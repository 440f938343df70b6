// A bare MQTT 3.1.1 publisher for load generation (transport `{ kind: "mqtt", client: "lean" }`):
// one TCP connection, CONNECT, then PUBLISH packets (QoS 0 or 1) whose PUBACKs settle them.
// CONNECT and DISCONNECT are encoded by mqtt-packet (the codec mqtt.js and Aedes use); a PUBLISH
// is written straight into one buffer and the broker's packets are split by ./mqtt-frames.ts,
// because per message mqtt-packet's generic encoder and its buffer-list parser were most of the
// generator's own work. What it leaves out is mqtt.js's client machinery (outgoing store,
// reconnects, keep-alive, per-packet streams), which costs a load generator about 50 µs a
// message. Benchmarks run the generator on the cores of what they measure, so that cost is taken
// from the ingest. No reconnect: a lost connection fails its outstanding and later messages,
// which the simulator counts.
import { type Socket, connect as tcpConnect } from "node:net";
import { generate } from "mqtt-packet";
import { encodePublish, FrameReader, PACKET } from "./mqtt-frames";

export class LeanMqttError extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

/** Called once with the outcome: no argument when acknowledged (QoS 1) or written (QoS 0). */
export type PublishCallback = (error?: LeanMqttError) => void;

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
  private readonly waiting = new Map<number, PublishCallback>();

  private constructor(private readonly socket: Socket) {}

  /** Connects and waits for a CONNACK; rejects with `mqtt_<code>` or `mqtt_connack_<n>`. */
  static connect(url: string, options: LeanMqttOptions): Promise<LeanMqttPublisher> {
    const { hostname, port, protocol } = new URL(url);
    if (protocol !== "mqtt:") return Promise.reject(new LeanMqttError("mqtt_unsupported_url"));
    const socket = tcpConnect({ host: hostname, port: Number(port || 1883), noDelay: true });
    const client = new LeanMqttPublisher(socket);
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
      const reader = new FrameReader((type, body) => {
        if (type === PACKET.connack) {
          // A second CONNACK breaks the protocol: the connection goes, like any malformed frame.
          if (client.connected) return socket.destroy();
          const code = body.length >= 2 ? (body[1] as number) : -1;
          if (code !== 0) return fail(new LeanMqttError(`mqtt_connack_${code}`));
          clearTimeout(timer);
          client.connected = true;
          resolve(client);
        } else if (type === PACKET.puback && body.length >= 2) {
          client.settle(body.readUInt16BE(0));
        }
      });
      socket.on("data", (chunk: Buffer) => {
        if (!reader.push(chunk)) socket.destroy();
      });
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
    });
  }

  /**
   * Sends one message; `done` is called at its PUBACK (QoS 1), or once written (QoS 0), or with
   * the cause it failed. A callback rather than a promise: at saturation every allocation per
   * message is taken from what the benchmark measures.
   */
  publish(topic: Buffer, payload: string, qos: 0 | 1, done: PublishCallback): void {
    if (!this.connected) {
      done(new LeanMqttError("mqtt_not_connected"));
      return;
    }
    if (qos === 0) {
      this.socket.write(encodePublish(topic, payload, 0, 0), (error) =>
        done(error ? new LeanMqttError("mqtt_publish_failed") : undefined),
      );
      return;
    }
    const messageId = this.freeMessageId();
    if (messageId === undefined) {
      done(new LeanMqttError("mqtt_too_many_in_flight"));
      return;
    }
    this.waiting.set(messageId, done);
    this.socket.write(encodePublish(topic, payload, 1, messageId));
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

  private settle(messageId: number): void {
    const done = this.waiting.get(messageId);
    if (!done) return;
    this.waiting.delete(messageId);
    done();
  }

  private freeMessageId(): number | undefined {
    for (let tries = 0; tries < 65_535; tries++) {
      this.nextId = (this.nextId % 65_535) + 1;
      if (!this.waiting.has(this.nextId)) return this.nextId;
    }
    return undefined;
  }

  private failAll(reason: string): void {
    const waiting = [...this.waiting.values()];
    this.waiting.clear();
    for (const done of waiting) done(new LeanMqttError(reason));
  }
}
