// Command-line arguments of `pnpm simulate`: parsed with node's util.parseArgs, checked with zod,
// every problem reported as one line.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { MAX_READINGS_PER_MESSAGE } from "@pulseboard/schema/telemetry";
import { z } from "zod";
import { BODY_SHAPES, PROFILE_KINDS } from "./profiles";
import type { SimulationOptions } from "./simulator";

export const USAGE = `usage: pnpm simulate -- (--keys dk_a,dk_b | --keys-file keys.txt) [options]
  --transport mqtt|http        default mqtt
  --url <url>                  default mqtt://127.0.0.1:1883 or http://127.0.0.1:3001
  --profile environment|wearable   default environment
  --interval-ms <ms>           per device, default 1000
  --qos 0|1                    MQTT, default 1
  --readings-per-request <n>   HTTP batch size, 1-${MAX_READINGS_PER_MESSAGE}
  --duration-s <s>             stop after this long (default: until Ctrl-C)
  --max-messages <n>           stop each device after n messages
  --rate <n>                   global cap, messages per second
  --shape values|timed|readings   body shape
  --seed <n>                   default 1`;

export class ArgsError extends Error {
  override name = "ArgsError";
}

const positive = (what: string) =>
  z.coerce.number({ error: `${what} must be a number` }).positive(`${what} must be positive`);
const count = (what: string) => positive(what).int(`${what} must be a whole number`);

// Device keys go into an MQTT topic level: no separators, wildcards or whitespace.
const deviceKey = z.string().regex(/^[^/+#\s]{1,256}$/, "device keys must not contain / + # or spaces");

const schema = z
  .strictObject({
    keys: z.array(deviceKey).min(1, "give device keys with --keys or --keys-file"),
    transport: z.enum(["mqtt", "http"], { error: "--transport must be mqtt or http" }).default("mqtt"),
    url: z
      .url({ protocol: /^(mqtts?|wss?|tcp|https?)$/, error: "--url must be an mqtt:// or http:// URL" })
      .optional(),
    profile: z
      .enum(PROFILE_KINDS, { error: "--profile must be environment or wearable" })
      .default("environment"),
    "interval-ms": positive("--interval-ms").default(1000),
    qos: z.enum(["0", "1"], { error: "--qos must be 0 or 1" }).default("1"),
    "readings-per-request": count("--readings-per-request")
      .max(MAX_READINGS_PER_MESSAGE, `--readings-per-request is at most ${MAX_READINGS_PER_MESSAGE}`)
      .optional(),
    "duration-s": positive("--duration-s").optional(),
    "max-messages": count("--max-messages").optional(),
    rate: positive("--rate").optional(),
    shape: z.enum(BODY_SHAPES, { error: "--shape must be values, timed or readings" }).optional(),
    seed: z.coerce.number().int("--seed must be a whole number").default(1),
  })
  .refine((a) => a.transport === "http" || a["readings-per-request"] === undefined, {
    message: "--readings-per-request applies to --transport http",
  })
  .refine((a) => !a.url || a.url.startsWith("http") === (a.transport === "http"), {
    message: "--url does not match --transport",
  });

export type CliConfig = Omit<SimulationOptions, "onAck">;

/** `argv` without node and the script; throws ArgsError with a one-line message. Returns undefined for --help. */
export function parseCliArgs(argv: string[]): CliConfig | undefined {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      // pnpm passes the `--` of `pnpm simulate -- ...` through.
      args: argv[0] === "--" ? argv.slice(1) : argv,
      options: {
        keys: { type: "string" },
        "keys-file": { type: "string" },
        transport: { type: "string" },
        url: { type: "string" },
        profile: { type: "string" },
        "interval-ms": { type: "string" },
        qos: { type: "string" },
        "readings-per-request": { type: "string" },
        "duration-s": { type: "string" },
        "max-messages": { type: "string" },
        rate: { type: "string" },
        shape: { type: "string" },
        seed: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new ArgsError(error instanceof Error ? error.message : String(error));
  }
  if (values.help) return undefined;
  const { keys, "keys-file": keysFile, help: _, ...rest } = values;
  const parsed = schema.safeParse({ ...rest, keys: [...splitKeys(keys), ...readKeysFile(keysFile)] });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ArgsError(issue?.message ?? "invalid arguments");
  }
  const a = parsed.data;
  return {
    devices: a.keys.map((key) => ({ key, profile: a.profile })),
    transport:
      a.transport === "mqtt"
        ? { kind: "mqtt", url: a.url ?? "mqtt://127.0.0.1:1883", qos: a.qos === "0" ? 0 : 1 }
        : {
            kind: "http",
            url: a.url ?? "http://127.0.0.1:3001",
            readingsPerRequest: a["readings-per-request"],
          },
    intervalMs: a["interval-ms"],
    durationMs: a["duration-s"] === undefined ? undefined : a["duration-s"] * 1000,
    maxMessages: a["max-messages"],
    ratePerSecond: a.rate,
    shape: a.shape,
    seed: a.seed,
  };
}

function splitKeys(keys: unknown): string[] {
  return typeof keys === "string"
    ? keys
        .split(",")
        .map((k) => k.trim())
        .filter(Boolean)
    : [];
}

/** One key per line; blank lines and `#` comments are skipped. */
function readKeysFile(path: unknown): string[] {
  if (typeof path !== "string") return [];
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "unreadable";
    throw new ArgsError(`--keys-file ${path}: ${code === "ENOENT" ? "no such file" : code}`);
  }
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
}
