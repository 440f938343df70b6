// N simulated devices publishing readings to the ingest over MQTT or HTTP. Used by the demo
// (`pnpm start`) and the ingest benchmark: failures are counted, never thrown, and each device
// keeps a bounded number of messages in flight, so a slow ingest shows up as skipped ticks rather
// than an ever-growing pile of promises.

import { setMaxListeners } from "node:events";
import { deadline } from "@pulseboard/runtime/abort";
import { MAX_READINGS_PER_MESSAGE } from "@pulseboard/schema/telemetry";
import { connect, type MqttClient } from "mqtt";
import { LeanMqttError, LeanMqttPublisher } from "./lean-mqtt";
import {
  type BodyShape,
  buildBody,
  createProfile,
  deviceSeed,
  type Profile,
  type ProfileKind,
  readingsOf,
  type Sample,
  type SentReading,
} from "./profiles";

export interface SimulatedDevice {
  key: string;
  profile: ProfileKind;
}

export type Transport =
  | {
      kind: "mqtt";
      url: string;
      qos: 0 | 1;
      connectionsPerDevice?: 1;
      /**
       * `mqtt.js` (default): a full client per device, reconnecting. `lean`: a bare publisher
       * (./lean-mqtt.ts) for benchmarks, where the generator shares the cores it measures.
       */
      client?: "mqtt.js" | "lean";
    }
  | { kind: "http"; url: string; readingsPerRequest?: number };

export interface SimulationOptions {
  devices: SimulatedDevice[];
  transport: Transport;
  /** Time between two messages of one device. */
  intervalMs: number;
  /** Stop after this long; runs until `stop()` when unset. */
  durationMs?: number;
  /** Stop each device after this many messages. */
  maxMessages?: number;
  /** Global cap in messages (publishes or requests) per second, across all devices. */
  ratePerSecond?: number;
  seed: number;
  /**
   * Body shape; defaults to `timed` for one sample per message, `readings` for batches (exactly
   * `readingsPerRequest` readings; `timed` and `values` carry whole samples only).
   */
  shape?: BodyShape;
  /** Unacknowledged messages a device may have outstanding before its ticks are skipped. */
  maxInFlightPerDevice?: number;
  /** MQTT client ids are `<prefix><device index>`. */
  clientIdPrefix?: string;
  /** How long stop() waits for in-flight messages before abandoning them. */
  stopGraceMs?: number;
  /** HTTP request timeout. */
  requestTimeoutMs?: number;
  /**
   * Once per acknowledged message: PUBACK (QoS 1), written (QoS 0), or a 202. Epoch ms, sub-ms
   * precision. `readings` are exactly the readings the message carried (ts null in shape `values`),
   * for checking them against what was stored; not called for a message given up at stop().
   */
  onAck?: (deviceKey: string, sentAtMs: number, ackedAtMs: number, readings: readonly SentReading[]) => void;
}

export interface SimulationCounters {
  /** Messages handed to the transport (or attempted while disconnected). */
  sent: number;
  acked: number;
  failed: number;
  /** Ticks not sent because the device had `maxInFlightPerDevice` messages outstanding. */
  skipped: number;
  /** Readings in acknowledged messages. */
  readingsAcked: number;
  /** Failures and connection events by cause: `http_401`, `mqtt_not_connected`, `mqtt_ECONNREFUSED`, ... */
  errors: Record<string, number>;
}

export interface SimulationHandle {
  /** Live counters, updated in place. */
  counters: SimulationCounters;
  /** Resolves with the final counters once the run ended (duration, max messages, or stop()). */
  done: Promise<SimulationCounters>;
  /** Stops sending, lets in-flight messages settle (briefly), closes every connection. */
  stop(): Promise<SimulationCounters>;
}

const CONNECT_CONCURRENCY = 50;

/** Epoch ms with sub-millisecond precision, for publish-to-ack latencies. */
const nowMs = () => performance.timeOrigin + performance.now();

/** The per-device interval that keeps N devices under a global `ratePerSecond`. */
export function effectiveIntervalMs(devices: number, intervalMs: number, ratePerSecond?: number): number {
  if (!ratePerSecond || devices === 0) return intervalMs;
  return Math.max(intervalMs, (devices * 1000) / ratePerSecond);
}

/** `dk_abcd…`: enough to tell keys apart in a log, never the secret. */
export function maskKey(key: string): string {
  return key.length <= 7 ? "…" : `${key.slice(0, 7)}…`;
}

interface DeviceState {
  index: number;
  key: string;
  profile: Profile;
  shape: BodyShape;
  samplesPerMessage: number;
  stepMs: number;
  readingsPerMessage: number;
  lastTs: number;
  messages: number;
  inFlight: number;
  finished: boolean;
  timer?: NodeJS.Timeout;
  mqtt?: MqttClient;
  lean?: LeanMqttPublisher;
  /** `devices/<key>/readings`, encoded once. */
  topic: Buffer;
}

/**
 * Sends one serialized body; `done` is called once: with nothing when acknowledged, or with the
 * cause for `errors`. A callback, not a promise: at saturation the generator shares the cores
 * it measures, and each promise per message is taken from the ingest.
 */
type Send = (device: DeviceState, payload: string, done: (error?: SendError) => void) => void;

class SendError extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

export async function runSimulation(options: SimulationOptions): Promise<SimulationHandle> {
  const { transport, onAck } = options;
  checkOptions(options);
  const counters: SimulationCounters = {
    sent: 0,
    acked: 0,
    failed: 0,
    skipped: 0,
    readingsAcked: 0,
    errors: {},
  };
  const count = (cause: string) => {
    counters.errors[cause] = (counters.errors[cause] ?? 0) + 1;
  };
  const maxInFlight = options.maxInFlightPerDevice ?? 8;
  const maxMessages = options.maxMessages ?? Number.POSITIVE_INFINITY;
  const interval = effectiveIntervalMs(options.devices.length, options.intervalMs, options.ratePerSecond);
  const readingsPerRequest = transport.kind === "http" ? transport.readingsPerRequest : undefined;
  const startMs = Date.now();

  const devices: DeviceState[] = options.devices.map((d, index) => {
    const profile = createProfile(d.profile, { seed: deviceSeed(options.seed, index), startMs });
    const perSample = profile.metrics.length;
    const wanted = readingsPerRequest ?? perSample;
    const shape = options.shape ?? (wanted > perSample ? "readings" : "timed");
    // `readings` can cut a batch to the exact count; the other shapes carry whole samples only.
    const samplesPerMessage =
      shape === "readings" ? Math.ceil(wanted / perSample) : Math.max(1, Math.floor(wanted / perSample));
    if (shape === "values" && samplesPerMessage > 1) {
      throw new RangeError(
        "shape `values` carries one sample per message: use `timed` or `readings` for batches",
      );
    }
    return {
      index,
      key: d.key,
      profile,
      shape,
      samplesPerMessage,
      // Samples of one batch are spread evenly over the interval, as if sampled then uploaded.
      stepMs: Math.max(1, Math.floor(interval / samplesPerMessage)),
      readingsPerMessage: shape === "readings" ? wanted : samplesPerMessage * perSample,
      lastTs: 0,
      messages: 0,
      inFlight: 0,
      finished: false,
      topic: Buffer.from(`devices/${d.key}/readings`),
    };
  });

  const abort = new AbortController();
  // Every request in flight listens on it (deadline()): hundreds at once is expected, not a leak.
  setMaxListeners(0, abort.signal);
  let stopping = false;
  let abandoned = false;
  let send: Send;
  if (transport.kind === "mqtt") {
    // Our own disconnects at stop() are not failures.
    const countConnection = (cause: string) => {
      if (!stopping) count(cause);
    };
    const connectOne = transport.client === "lean" ? connectLean : connectMqttJs;
    await connectAll(devices, (device) =>
      connectOne(device, transport.url, options.clientIdPrefix ?? "pulseboard-sim-", countConnection),
    );
    send =
      transport.client === "lean"
        ? (device, payload, done) => publishLean(device, payload, transport.qos, done)
        : (device, payload, done) => settle(publishMqtt(device, payload, transport.qos), done);
  } else {
    const endpoint = `${transport.url.replace(/\/+$/, "")}/v1/readings`;
    const timeoutMs = options.requestTimeoutMs ?? 10_000;
    send = (device, payload, done) =>
      settle(postHttp(endpoint, device.key, payload, timeoutMs, abort.signal), done);
  }

  let resolveDone: (c: SimulationCounters) => void = () => {};
  const done = new Promise<SimulationCounters>((resolve) => {
    resolveDone = resolve;
  });
  // Messages sent and not yet settled, and who waits for there to be none.
  let outstanding = 0;
  const idleWaiters: (() => void)[] = [];
  const settled = (ms: number) =>
    new Promise<void>((resolve) => {
      if (outstanding === 0) return resolve();
      const timer = setTimeout(resolve, ms);
      idleWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });

  const tick = (device: DeviceState) => {
    if (stopping || device.finished) return;
    if (device.inFlight >= maxInFlight) {
      counters.skipped++;
      return;
    }
    const samples = nextSamples(device, Date.now());
    const payload = JSON.stringify(buildBody(samples, device.shape, device.readingsPerMessage));
    // Only when someone listens: at saturation every allocation per message costs throughput.
    const carried = onAck ? readingsOf(samples, device.shape, device.readingsPerMessage) : [];
    device.messages++;
    device.inFlight++;
    counters.sent++;
    const sentAt = nowMs();
    outstanding++;
    let once = false;
    send(device, payload, (error) => {
      if (once) return;
      once = true;
      device.inFlight--;
      if (--outstanding === 0) for (const wake of idleWaiters.splice(0)) wake();
      if (abandoned) return;
      if (error) {
        counters.failed++;
        count(error.reason);
        return;
      }
      counters.acked++;
      counters.readingsAcked += device.readingsPerMessage;
      onAck?.(device.key, sentAt, nowMs(), carried);
    });
    if (device.messages >= maxMessages) {
      device.finished = true;
      clearInterval(device.timer);
      if (devices.every((d) => d.finished)) void stop();
    }
  };

  // Devices start staggered across one interval, so N devices do not all fire in the same instant.
  const starters = devices.map((device) =>
    setTimeout(
      () => {
        tick(device);
        if (!stopping && !device.finished) device.timer = setInterval(() => tick(device), interval);
      },
      (device.index / devices.length) * interval,
    ),
  );
  const durationTimer =
    options.durationMs === undefined ? undefined : setTimeout(() => void stop(), options.durationMs);

  let stopped: Promise<SimulationCounters> | undefined;
  function stop(): Promise<SimulationCounters> {
    stopped ??= (async () => {
      stopping = true;
      clearTimeout(durationTimer);
      for (const t of starters) clearTimeout(t);
      for (const d of devices) clearInterval(d.timer);
      await settled(options.stopGraceMs ?? 5000);
      // Whatever is still outstanding is abandoned: aborted requests, force-closed clients.
      abort.abort();
      await Promise.all(devices.map((d) => d.mqtt?.endAsync(true).catch(() => {}) ?? d.lean?.close()));
      await settled(100);
      // Still unanswered (e.g. QoS 1 without a PUBACK): failed, and late answers are ignored.
      abandoned = true;
      counters.failed += outstanding;
      if (outstanding > 0) counters.errors.abandoned = outstanding;
      resolveDone(counters);
      return counters;
    })();
    return stopped;
  }

  return { counters, done, stop };
}

function checkOptions(options: SimulationOptions): void {
  const { transport } = options;
  if (options.devices.length === 0) throw new RangeError("no devices to simulate");
  if (!(options.intervalMs > 0)) throw new RangeError("intervalMs must be positive");
  if (options.ratePerSecond !== undefined && !(options.ratePerSecond > 0)) {
    throw new RangeError("ratePerSecond must be positive");
  }
  const rpr = transport.kind === "http" ? transport.readingsPerRequest : undefined;
  if (rpr !== undefined && !(Number.isInteger(rpr) && rpr >= 1 && rpr <= MAX_READINGS_PER_MESSAGE)) {
    throw new RangeError(`readingsPerRequest must be an integer from 1 to ${MAX_READINGS_PER_MESSAGE}`);
  }
}

/** A promise-returning send, reported through `done` (causes other than SendError: `error`). */
function settle(sent: Promise<void>, done: (error?: SendError) => void): void {
  sent.then(
    () => done(),
    (error: unknown) => done(error instanceof SendError ? error : new SendError("error")),
  );
}

/** The next message's samples, `stepMs` apart, strictly increasing per device. */
function nextSamples(device: DeviceState, now: number): Sample[] {
  const samples: Sample[] = [];
  const n = device.samplesPerMessage;
  for (let i = 0; i < n; i++) {
    // Unique per device, metric and ts: the ingest stores a repeated (device, metric, ts) once.
    const ts = Math.max(now - (n - 1 - i) * device.stepMs, device.lastTs + 1);
    device.lastTs = ts;
    samples.push(device.profile.sample(ts));
  }
  return samples;
}

/** One clean-session client per device; resolves once every first attempt connected or failed. */
async function connectAll(devices: DeviceState[], connectOne: (device: DeviceState) => Promise<void>) {
  const queue = [...devices];
  const worker = async () => {
    for (let d = queue.shift(); d; d = queue.shift()) await connectOne(d);
  };
  await Promise.all(Array.from({ length: Math.min(CONNECT_CONCURRENCY, devices.length) }, worker));
}

function connectMqttJs(device: DeviceState, url: string, prefix: string, count: (cause: string) => void) {
  const client = connect(url, {
    clientId: `${prefix}${device.index}`,
    clean: true,
    reconnectPeriod: 1000,
    connectTimeout: 10_000,
    // Publishing while disconnected fails the message instead of queueing it without bound.
    queueQoSZero: false,
    // mqtt.js logs every packet through `debug`; disabled, each call still costs a lookup, which
    // at saturation is a measurable share of the load generator's CPU.
    log: () => {},
  });
  device.mqtt = client;
  let wasConnected = false;
  client.on("connect", () => {
    wasConnected = true;
  });
  client.on("close", () => {
    if (wasConnected) count("mqtt_closed");
    wasConnected = false;
  });
  // Socket errors carry a string code (ECONNREFUSED); a refused CONNACK, a numeric return code.
  client.on("error", (error: Error & { code?: string | number }) => {
    const code = error.code ?? "error";
    count(typeof code === "number" ? `mqtt_connack_${code}` : `mqtt_${code}`);
  });
  return new Promise<void>((resolve) => {
    client.once("connect", () => resolve());
    client.once("close", () => resolve());
  });
}

async function publishMqtt(device: DeviceState, payload: string, qos: 0 | 1): Promise<void> {
  const client = device.mqtt;
  if (!client?.connected) throw new SendError("mqtt_not_connected");
  try {
    await client.publishAsync(`devices/${device.key}/readings`, payload, { qos });
  } catch {
    throw new SendError("mqtt_publish_failed");
  }
}

async function connectLean(device: DeviceState, url: string, prefix: string, count: (cause: string) => void) {
  try {
    device.lean = await LeanMqttPublisher.connect(url, {
      clientId: `${prefix}${device.index}`,
      connectTimeoutMs: 10_000,
      onClose: () => count("mqtt_closed"),
    });
  } catch (error) {
    count(error instanceof LeanMqttError ? error.reason : "mqtt_error");
  }
}

function publishLean(device: DeviceState, payload: string, qos: 0 | 1, done: (error?: SendError) => void) {
  if (!device.lean?.connected) return done(new SendError("mqtt_not_connected"));
  try {
    device.lean.publish(device.topic, payload, qos, (error) =>
      done(error ? new SendError(error.reason) : undefined),
    );
  } catch {
    done(new SendError("mqtt_publish_failed"));
  }
}

async function postHttp(
  endpoint: string,
  key: string,
  body: string,
  timeoutMs: number,
  stop: AbortSignal,
): Promise<void> {
  let response: Response;
  const limit = deadline(timeoutMs, stop);
  try {
    // Node's global fetch keeps connections alive and reuses them across requests.
    response = await fetch(endpoint, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body,
      signal: limit.signal,
    });
  } catch (error) {
    limit.done();
    const name = error instanceof Error ? error.name : "";
    const code = (error as { cause?: { code?: string } }).cause?.code;
    if (name === "TimeoutError") throw new SendError("http_timeout");
    if (name === "AbortError") throw new SendError("http_aborted");
    throw new SendError(`http_${code ?? "network_error"}`);
  }
  // Drain the body so the connection goes back to the pool.
  await response.arrayBuffer().catch(() => undefined);
  limit.done();
  if (response.status !== 202) throw new SendError(`http_${response.status}`);
}
