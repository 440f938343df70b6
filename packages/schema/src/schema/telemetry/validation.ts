// Zod contracts of the device protocol and the telemetry API (docs/device-protocol.md, docs/api.md).
import { z } from "zod";
import { pageParams } from "../../keyset";
import { MAX_CHART_RANGE_DAYS } from "../../tiers";
import { AGGREGATES, ALERT_STATUSES, COMPARATORS, NO_DATA_POLICIES, SEVERITIES } from "./tables";

export const METRIC_NAME_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;
/** Readings in one message (any shape); a bigger message is rejected whole. */
export const MAX_READINGS_PER_MESSAGE = 1000;
/** A reading more than this far ahead of the server's clock is rejected. */
export const MAX_FUTURE_SKEW_MS = 5 * 60 * 1000;
/** Older timestamps are almost always epoch seconds sent as milliseconds. */
export const EARLIEST_READING_MS = Date.UTC(2000, 0, 1);

const METRIC_NAME_MESSAGE = "metric name must be 1-64 characters of A-Z a-z 0-9 _ . -";

export const metricName = z
  .string({ error: "metric name must be a string" })
  .regex(METRIC_NAME_PATTERN, METRIC_NAME_MESSAGE);

/**
 * The largest magnitude a reading may have. Bounded so that no figure computed from readings can
 * leave float8's range (the alerter aggregates numeric values and hands float8 on; an aggregate
 * over float8 would also sum squares), which would fail the evaluation of every device evaluated
 * with it; 1e15 still holds any physical measurement, and sums of squares of a billion such
 * readings stay far below float8's limit.
 */
export const MAX_READING_MAGNITUDE = 1e15;
const VALUE_RANGE_MESSAGE = `value must be between -${MAX_READING_MAGNITUDE} and ${MAX_READING_MAGNITUDE}`;

// zod 4 numbers reject NaN and ±Infinity (JSON's 1e999 parses to Infinity).
export const readingValue = z
  .number({ error: "value must be a finite number" })
  .min(-MAX_READING_MAGNITUDE, VALUE_RANGE_MESSAGE)
  .max(MAX_READING_MAGNITUDE, VALUE_RANGE_MESSAGE);

/**
 * A message id (`mid`, or HTTP's `Idempotency-Key`): the device's name for one message, so a
 * redelivery of it is stored once even when its readings carry no `ts` (docs/device-protocol.md).
 */
export const MESSAGE_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;
export const MESSAGE_ID_MESSAGE = "mid must be 1-64 characters of A-Z a-z 0-9 _ . : -";
const messageId = z.string({ error: MESSAGE_ID_MESSAGE }).regex(MESSAGE_ID_PATTERN, MESSAGE_ID_MESSAGE);

const timestampInput = z.union([z.number(), z.iso.datetime({ offset: true })], {
  error: "ts must be epoch milliseconds or an ISO-8601 date-time with offset",
});

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * `{metric: value, ...}` into a Map. Not `z.record`: its output is a plain object, where a metric
 * named `__proto__` sets the prototype instead (and is silently dropped, unvalidated). Every own
 * key is a metric name here, `__proto__`, `constructor` and `toString` like any other.
 */
const valuesMap = z.unknown().transform((input, ctx): Map<string, number> => {
  const out = new Map<string, number>();
  if (!isPlainObject(input)) {
    ctx.addIssue({ code: "invalid_type", expected: "record", input, message: "values must be an object" });
    return out;
  }
  for (const [key, raw] of Object.entries(input)) {
    if (!METRIC_NAME_PATTERN.test(key)) {
      ctx.addIssue({ code: "invalid_key", origin: "record", issues: [], input: key, path: [key] });
      continue;
    }
    const value = readingValue.safeParse(raw);
    if (value.success) out.set(key, value.data);
    else for (const issue of value.error.issues) ctx.addIssue({ ...issue, path: [key, ...issue.path] });
  }
  return out;
});

/** Shape 2: ThingsBoard's `{"ts": ..., "values": {...}}`, with a message id at the top only. */
const timedValues = z.strictObject({ ts: timestampInput, values: valuesMap });
const timedValuesMessage = timedValues.extend({ mid: messageId.optional() });
/** Shape 3b: `{"readings": [{metric, value, ts?}], "mid"?}`. */
const readingsList = z.strictObject({
  readings: z.array(
    z.strictObject({ metric: metricName, value: readingValue, ts: timestampInput.optional() }),
  ),
  mid: messageId.optional(),
});

export type RejectionReason =
  | "bad_shape"
  | "bad_metric"
  | "bad_value"
  | "bad_timestamp"
  | "future_timestamp"
  | "too_old"
  | "empty"
  | "too_many";

export interface PayloadProblem {
  reason: RejectionReason;
  /** Where in the body, e.g. `[2].values.temperature`; empty for the whole body. */
  path: string;
  message: string;
}

export interface ParsedReading {
  metric: string;
  value: number;
  recordedAt: Date;
}

export type ParseResult =
  | {
      ok: true;
      readings: ParsedReading[];
      /** The message id, when the body carries one. */
      mid?: string;
    }
  | { ok: false; problems: PayloadProblem[] };

function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`))
    .join("")
    .replace(/^\./, "");
}

function reasonOf(issue: z.core.$ZodIssue): RejectionReason {
  const last = issue.path.at(-1);
  if (last === "mid" && issue.path.length === 1) return "bad_shape";
  if (issue.code === "invalid_key" || issue.path.includes("metric")) return "bad_metric";
  if (last === "ts") return "bad_timestamp";
  if (issue.code === "invalid_type" && issue.expected === "number") return "bad_value";
  if (issue.code === "too_big" || issue.code === "too_small") return "bad_value";
  if (last === "value") return "bad_value";
  return "bad_shape";
}

function toDate(ts: number | string): Date {
  return typeof ts === "number" ? new Date(ts) : new Date(ts);
}

/**
 * One element of a body: shape 1 (values now) or shape 2 (`ts` + `values`); at the top (no
 * prefix) also shape 3b. A top-level element may carry the message id, returned.
 */
function parseElement(
  input: unknown,
  prefix: (string | number)[],
  receivedAt: Date,
  out: ParsedReading[],
  problems: PayloadProblem[],
): string | undefined {
  const collect = (error: z.ZodError) => {
    for (const issue of error.issues) {
      const path = [...prefix, ...issue.path];
      // A bad metric name in a values map surfaces as the record's generic "invalid key".
      const message = issue.code === "invalid_key" ? METRIC_NAME_MESSAGE : issue.message;
      problems.push({ reason: reasonOf({ ...issue, path }), path: formatPath(path), message });
    }
  };
  if (!isPlainObject(input)) {
    problems.push({
      reason: "bad_shape",
      path: formatPath(prefix),
      message: "expected an object of metric values, {ts, values}, or {readings: [...]}",
    });
    return;
  }
  const top = prefix.length === 0;
  if ("values" in input || "ts" in input) {
    const parsed = (top ? timedValuesMessage : timedValues).safeParse(input);
    if (!parsed.success) {
      collect(parsed.error);
      return;
    }
    const recordedAt = toDate(parsed.data.ts);
    for (const [metric, value] of parsed.data.values) out.push({ metric, value, recordedAt });
    return (parsed.data as { mid?: string }).mid;
  }
  if (top && "readings" in input) {
    const parsed = readingsList.safeParse(input);
    if (!parsed.success) {
      collect(parsed.error);
      return;
    }
    for (const r of parsed.data.readings) {
      out.push({
        metric: r.metric,
        value: r.value,
        recordedAt: r.ts === undefined ? receivedAt : toDate(r.ts),
      });
    }
    return parsed.data.mid;
  }
  // Shape 1: `mid` is the message id, never a metric (a metric named so goes in shape 3b), and
  // only at the top: a batch is one message, with one id.
  const { mid, ...values } = input;
  const hasMid = "mid" in input;
  if (hasMid && !top) {
    problems.push({
      reason: "bad_shape",
      path: formatPath([...prefix, "mid"]),
      message: "mid belongs at the top of a message, not inside a batch",
    });
  } else if (hasMid && !messageId.safeParse(mid).success) {
    problems.push({ reason: "bad_shape", path: "mid", message: MESSAGE_ID_MESSAGE });
  }
  const parsed = valuesMap.safeParse(hasMid ? values : input);
  if (!parsed.success) {
    collect(parsed.error);
    return;
  }
  for (const [metric, value] of parsed.data) out.push({ metric, value, recordedAt: receivedAt });
  return top && typeof mid === "string" ? mid : undefined;
}

/** A reading value the contracts accept: a finite number within ±MAX_READING_MAGNITUDE. */
function isReadingValue(v: unknown): v is number {
  return typeof v === "number" && v >= -MAX_READING_MAGNITUDE && v <= MAX_READING_MAGNITUDE;
}

/** `{metric: value, ...}` entries appended to `out`; false at the first one the contracts refuse. */
function fastValues(
  input: Record<string, unknown>,
  skipMid: boolean,
  recordedAt: Date,
  out: ParsedReading[],
): boolean {
  for (const metric of Object.keys(input)) {
    if (skipMid && metric === "mid") continue;
    const value = input[metric];
    if (!METRIC_NAME_PATTERN.test(metric) || !isReadingValue(value)) return false;
    out.push({ metric, value, recordedAt });
  }
  return true;
}

/**
 * One element as parseElement reads it, without zod, for bodies with nothing wrong: the same
 * readings (appended to `out`) and message id, or null at anything the contracts would refuse or
 * that this does not read (an ISO `ts`), which then goes through them for their messages. Every
 * reading under load passes here; zod's per-value parse was a few per cent of the ingest's thread.
 */
function fastElement(
  input: unknown,
  top: boolean,
  receivedAt: Date,
  out: ParsedReading[],
): { mid: string | undefined } | null {
  if (!isPlainObject(input)) return null;
  if ("values" in input || "ts" in input) {
    let keys = 0;
    for (const key in input) {
      if (key !== "ts" && key !== "values" && !(top && key === "mid")) return null;
      keys++;
    }
    const { ts, values, mid } = input;
    if (keys !== (mid === undefined ? 2 : 3) || typeof ts !== "number" || !Number.isFinite(ts)) return null;
    if (mid !== undefined && !(typeof mid === "string" && MESSAGE_ID_PATTERN.test(mid))) return null;
    if (!isPlainObject(values) || !fastValues(values, false, toDate(ts), out)) return null;
    return { mid: mid as string | undefined };
  }
  if (top && "readings" in input) {
    for (const key in input) if (key !== "readings" && key !== "mid") return null;
    const { readings, mid } = input;
    if (!Array.isArray(readings)) return null;
    if (mid !== undefined && !(typeof mid === "string" && MESSAGE_ID_PATTERN.test(mid))) return null;
    for (const reading of readings) {
      if (!isPlainObject(reading)) return null;
      for (const key in reading) if (key !== "metric" && key !== "value" && key !== "ts") return null;
      const { metric, value, ts } = reading;
      if (typeof metric !== "string" || !METRIC_NAME_PATTERN.test(metric) || !isReadingValue(value))
        return null;
      if ("ts" in reading && !(typeof ts === "number" && Number.isFinite(ts))) return null;
      out.push({ metric, value, recordedAt: ts === undefined ? receivedAt : toDate(ts as number) });
    }
    return { mid: mid as string | undefined };
  }
  const mid = input.mid;
  if ("mid" in input && !(top && typeof mid === "string" && MESSAGE_ID_PATTERN.test(mid))) return null;
  if (!fastValues(input, true, receivedAt, out)) return null;
  return { mid: mid as string | undefined };
}

/**
 * The readings and message id of a body with nothing wrong, read without zod (see fastElement);
 * null for any other body. parseReadingsPayload agrees with it wherever it answers (tested).
 */
export function fastReadings(
  input: unknown,
  receivedAt: Date,
): { readings: ParsedReading[]; mid: string | undefined } | null {
  const readings: ParsedReading[] = [];
  if (Array.isArray(input)) {
    if (input.length > MAX_READINGS_PER_MESSAGE) return null;
    for (const element of input) if (!fastElement(element, false, receivedAt, readings)) return null;
    return { readings, mid: undefined };
  }
  const element = fastElement(input, true, receivedAt, readings);
  return element && { readings, mid: element.mid };
}

export interface ParseOptions {
  /**
   * Raw retention: readings recorded before `from` (retentionStart of `days`) would be dropped
   * with their day's partition, so they are refused as `too_old` instead of stored.
   */
  oldest?: { from: Date; days: number };
  /** False: every body through the zod contracts (the test that the fast path agrees). */
  fastPath?: boolean;
}

/**
 * Parses a readings message in any of the protocol's shapes into flat readings. A message is
 * valid as a whole or rejected as a whole: any problem rejects every reading in it.
 */
export function parseReadingsPayload(
  input: unknown,
  receivedAt: Date,
  options: ParseOptions = {},
): ParseResult {
  const fast = options.fastPath === false ? null : fastReadings(input, receivedAt);
  const readings: ParsedReading[] = fast?.readings ?? [];
  const problems: PayloadProblem[] = [];
  let mid = fast?.mid;
  if (fast) {
    // Read whole, nothing wrong so far: the checks below still apply.
  } else if (Array.isArray(input)) {
    if (input.length > MAX_READINGS_PER_MESSAGE) {
      return { ok: false, problems: [tooMany(input.length)] };
    }
    input.forEach((element, i) => {
      parseElement(element, [i], receivedAt, readings, problems);
    });
  } else {
    mid = parseElement(input, [], receivedAt, readings, problems);
  }
  if (problems.length === 0 && readings.length === 0) {
    problems.push({ reason: "empty", path: "", message: "the message holds no readings" });
  }
  if (readings.length > MAX_READINGS_PER_MESSAGE) problems.push(tooMany(readings.length));
  const latest = receivedAt.getTime() + MAX_FUTURE_SKEW_MS;
  for (const r of readings) {
    const t = r.recordedAt.getTime();
    if (Number.isNaN(t) || t < EARLIEST_READING_MS) {
      problems.push({
        reason: "bad_timestamp",
        path: r.metric,
        message: "ts is before 2000-01-01: send epoch milliseconds, not seconds",
      });
    } else if (t > latest) {
      problems.push({
        reason: "future_timestamp",
        path: r.metric,
        message: "ts is more than 5 minutes in the future",
      });
    } else if (options.oldest && t < options.oldest.from.getTime()) {
      problems.push({
        reason: "too_old",
        path: r.metric,
        message: `ts is before ${options.oldest.from.toISOString().slice(0, 10)}: readings are kept ${options.oldest.days} days`,
      });
    }
  }
  if (problems.length > 0) return { ok: false, problems };
  return mid === undefined ? { ok: true, readings } : { ok: true, readings, mid };
}

function tooMany(count: number): PayloadProblem {
  return {
    reason: "too_many",
    path: "",
    message: `the message holds ${count} readings; at most ${MAX_READINGS_PER_MESSAGE} are accepted`,
  };
}

// --- JSON API bodies -------------------------------------------------------------------

const deviceName = z.string().trim().min(1, "name is required").max(100, "name is at most 100 characters");

export const createDeviceBody = z.strictObject({ name: deviceName });

export const TAG_PATTERN = /^[\p{L}\p{N}][\p{L}\p{N} _.:-]{0,31}$/u;
export const MAX_TAGS = 20;
const TAG_MESSAGE = "a tag is 1-32 letters, digits, spaces or _ . : - (starting with a letter or digit)";

/** A device's settings the owner may change (any subset); tags replace the device's tags. */
export const updateDeviceBody = z
  .strictObject({
    name: deviceName.optional(),
    /** The offline timeout: no reading for this long and the device shows offline. */
    silenceSeconds: z
      .number({ error: "silenceSeconds must be a whole number of seconds" })
      .int("silenceSeconds must be a whole number of seconds")
      .min(10, "the offline timeout is at least 10 s")
      .max(2_592_000, "the offline timeout is at most 30 days")
      .optional(),
    tags: z
      .array(z.string().trim().regex(TAG_PATTERN, TAG_MESSAGE))
      .max(MAX_TAGS, `at most ${MAX_TAGS} tags`)
      // Case-insensitively distinct, in the order given.
      .transform((tags) => [...new Map(tags.map((t) => [t.toLowerCase(), t])).values()])
      .optional(),
  })
  .refine((b) => Object.keys(b).length > 0, {
    message: "nothing to change: send name, silenceSeconds or tags",
  });

/** The longest grace an old key may keep after a rotation. */
export const MAX_KEY_GRACE_SECONDS = 30 * 86_400;

/** Replacing a device's key: how long the old one keeps working (0: refused from now on). */
export const rotateKeyBody = z.strictObject({
  graceSeconds: z
    .number({ error: "graceSeconds must be a whole number of seconds" })
    .int("graceSeconds must be a whole number of seconds")
    .min(0, "graceSeconds is at least 0")
    .max(MAX_KEY_GRACE_SECONDS, `graceSeconds is at most ${MAX_KEY_GRACE_SECONDS} (30 days)`),
});

/** How the owner wants a metric shown; null (or an empty string) puts the default back. */
export const metricDisplayBody = z.strictObject({
  metric: metricName,
  displayName: z
    .string()
    .trim()
    .max(64, "displayName is at most 64 characters")
    .nullable()
    .transform((v) => v || null),
  unit: z.string().trim().max(16, "unit is at most 16 characters").nullable(),
});

export const createRuleBody = z
  .strictObject({
    name: z
      .string()
      .trim()
      .max(100, "name is at most 100 characters")
      .nullish()
      .transform((v) => v || null),
    metric: metricName,
    comparator: z.enum(COMPARATORS),
    threshold: z.number({ error: "threshold must be a finite number" }),
    windowSeconds: z.number().int().min(1).max(2_592_000).default(60),
    aggregate: z.enum(AGGREGATES).default("avg"),
    recoveryThreshold: z.number({ error: "recoveryThreshold must be a finite number" }).optional(),
    noData: z.enum(NO_DATA_POLICIES).default("keep"),
    severity: z.enum(SEVERITIES, { error: "severity must be info, warning or critical" }).default("warning"),
  })
  .refine(
    (r) =>
      r.recoveryThreshold === undefined ||
      (r.comparator.startsWith("g")
        ? r.recoveryThreshold <= r.threshold
        : r.recoveryThreshold >= r.threshold),
    {
      message:
        "recoveryThreshold must be on the safe side of the threshold (below it for gt/gte, above it for lt/lte)",
      path: ["recoveryThreshold"],
    },
  );

const instant = z.iso.datetime({ offset: true }).transform((s) => new Date(s));

/**
 * A chart's query (docs/api.md). `since`: the start of the last bucket the client holds, for live
 * updates: only buckets from it on are returned (it included). Which buckets the stored tiers
 * serve for a range depends on the retention settings: tiers.ts (chartBucketSeconds).
 */
export const readingsQuery = z
  .object({
    metric: metricName,
    from: instant,
    to: instant,
    bucket: z.coerce
      .number()
      .int()
      .min(1)
      .max(86_400 * 31)
      .optional(),
    since: instant.optional(),
  })
  .refine((q) => q.from < q.to, { message: "from must be before to", path: ["from"] })
  // (zod runs an object's refinements even when a field failed: check the types first.)
  .refine(
    (q) =>
      !(q.from instanceof Date && q.to instanceof Date) ||
      q.to.getTime() - q.from.getTime() <= MAX_CHART_RANGE_DAYS * 86_400_000,
    {
      message: `the range is at most ${MAX_CHART_RANGE_DAYS} days`,
      path: ["to"],
    },
  )
  .refine((q) => q.since === undefined || q.since < q.to, {
    message: "since must be before to",
    path: ["since"],
  });

/** A bound of a list's time filter: years 1 to 9999 (what PostgreSQL takes as written). */
const listInstant = instant.refine((d) => d.getUTCFullYear() >= 1 && d.getUTCFullYear() <= 9999, {
  error: "must be a time between the years 1 and 9999",
});

/** The alerts list (docs/api.md): filters, and a page (keyset.ts). */
export const alertsQuery = z
  .object({
    status: z.enum(ALERT_STATUSES, { error: "status must be firing or resolved" }).optional(),
    deviceId: z.uuid({ error: "deviceId must be a device id" }).optional(),
    metric: metricName.optional(),
    from: listInstant.optional(),
    to: listInstant.optional(),
    ...pageParams,
  })
  .refine((q) => !(q.from instanceof Date && q.to instanceof Date) || q.from < q.to, {
    message: "from must be before to",
    path: ["from"],
  });

/** The devices list: an optional tag, and a page (keyset.ts). */
export const devicesQuery = z.object({
  tag: z.string().trim().min(1).max(40).optional(),
  ...pageParams,
});

export type CreateDeviceBody = z.infer<typeof createDeviceBody>;
export type CreateRuleBody = z.infer<typeof createRuleBody>;
export type UpdateDeviceBody = z.infer<typeof updateDeviceBody>;
export type MetricDisplayBody = z.infer<typeof metricDisplayBody>;
export type ReadingsQuery = z.infer<typeof readingsQuery>;
