import {
  booleanFlag,
  checkRetention,
  databaseEnv,
  loadEnv,
  logLevel,
  nodeEnv,
  optional,
  positiveInt,
  retentionEnv,
} from "@pulseboard/runtime/env";
import { z } from "zod";
import { parseTrustedProxies } from "./lib/client-address";

/** A comma-separated variable as its trimmed, non-empty entries (unset: none), then `items`. */
const commaList = <T extends z.ZodType>(items: T) =>
  z.preprocess(
    (v) =>
      typeof v === "string"
        ? v
            .split(",")
            .map((o) => o.trim())
            .filter(Boolean)
        : [],
    items,
  );

const DEV_AUTH_SECRET = "pulseboard-development-secret-not-for-production";

export const webEnvSchema = z
  .object({
    NODE_ENV: nodeEnv,
    LOG_LEVEL: logLevel,
    ...databaseEnv,
    /**
     * A read replica (a Neon read replica's URL, a streaming standby) for chart and history reads
     * of readings; writes, auth and owner checks stay on DATABASE_URL. Unset: those reads use
     * DATABASE_URL too.
     */
    DATABASE_URL_REPLICA: z.preprocess(
      (v) => (v === "" ? undefined : v),
      z
        .string()
        .regex(/^postgres(ql)?:\/\/.+/, "must be a postgres:// URL (a read replica of DATABASE_URL)")
        .optional(),
    ),
    /**
     * Our reverse proxies' addresses or CIDR ranges, comma-separated: only from these is a
     * forwarded client address believed (X-Forwarded-For's appended hop, or CLIENT_IP_HEADER).
     * Unset: the connection's own address is the client's.
     */
    TRUSTED_PROXIES: commaList(
      z.array(z.string()).superRefine((entries, ctx) => {
        try {
          parseTrustedProxies(entries);
        } catch (error) {
          ctx.addIssue({
            code: "custom",
            message: `${(error as Error).message} (e.g. 10.0.0.2,10.1.0.0/16)`,
          });
        }
      }),
    ),
    /**
     * A header the trusted proxy sets to the client's address, replacing any client value
     * (`x-real-ip` with nginx's `proxy_set_header X-Real-IP $remote_addr`, `cf-connecting-ip`).
     * Unset: the hop the proxy appended to X-Forwarded-For.
     */
    CLIENT_IP_HEADER: z.preprocess(
      (v) => (v === "" ? undefined : v),
      z
        .string()
        .regex(/^[A-Za-z0-9-]+$/, "must be a header name, e.g. x-real-ip")
        .transform((h) => h.toLowerCase())
        .optional(),
    ),
    /** Requests per client address per minute to the auth endpoints (sign-in: 3 per 10 s). */
    AUTH_RATE_LIMIT_MAX: positiveInt(100, 100_000),
    /** Community abuse limits per user: new threads an hour, replies and votes a minute. */
    COMMUNITY_THREADS_PER_HOUR: positiveInt(5, 10_000),
    COMMUNITY_REPLIES_PER_MINUTE: positiveInt(10, 10_000),
    COMMUNITY_VOTES_PER_MINUTE: positiveInt(60, 10_000),
    /** A new account may post no links for this many minutes (0: from the start). */
    COMMUNITY_NEW_ACCOUNT_LINK_MINUTES: z.preprocess(
      (v) => (v === undefined || v === "" ? undefined : v),
      z.coerce.number().int("must be a whole number").min(0).max(525_600).default(30),
    ),
    /** E-mail addresses made community moderators once the address is verified. */
    COMMUNITY_MODERATORS: commaList(z.array(z.email("must be e-mail addresses, comma-separated"))),
    /** Where devices connect, as shown in the provisioning dialog's ready-to-paste lines. */
    PUBLIC_MQTT_URL: z.preprocess(
      (v) => (v === "" ? undefined : v),
      z.url().default("mqtt://localhost:1883"),
    ),
    PUBLIC_INGEST_URL: z.preprocess(
      (v) => (v === "" ? undefined : v),
      z.url().default("http://localhost:3001"),
    ),
    /**
     * Whether the provisioning dialog's MQTT line passes the key as username (checked at CONNECT
     * by the built-in broker). `0` for a broker that refuses usernames it does not know.
     */
    MQTT_KEY_AS_USERNAME: booleanFlag(true),
    /**
     * `1`: webhooks may go to loopback, private and link-local addresses (a self-hoster's LAN
     * receiver). Off, only global unicast addresses are reached (SSRF guard).
     */
    WEBHOOK_ALLOW_PRIVATE: booleanFlag(false),
    /**
     * The mail server for confirmation links, test notices and account mail
     * (`smtp://host:port`, `smtps://user:pass@host`). Unset: e-mail channels cannot be added.
     */
    SMTP_URL: z.preprocess((v) => (v === "" ? undefined : v), z.string().optional()),
    MAIL_FROM: z.string().default("Pulseboard <alerts@pulseboard.localhost>"),
    /**
     * `1`: the app shows each signed-in user the mail the local SMTP sink received for their
     * address (`pnpm start` runs the sink on the embedded defaults; nothing leaves the machine).
     */
    LOCAL_MAILBOX: booleanFlag(false),
    /**
     * The longest a chart's query may run (`SET LOCAL statement_timeout` in its transaction);
     * past it the chart answers 503 with Retry-After instead of holding a connection.
     */
    CHART_STATEMENT_TIMEOUT_MS: positiveInt(5_000, 600_000),
    /**
     * How long raw readings and minute rollups are kept (the alerter drops older partitions):
     * charts serve buckets under a minute within the first, whole minutes within the second,
     * whole hours beyond. The same values as the ingest's and the alerter's.
     */
    ...retentionEnv,
    /** SSE comment sent this often so proxies keep /api/live open. */
    LIVE_HEARTBEAT_SECONDS: positiveInt(15, 300),
    /** How often the LISTEN connection proves it still delivers (a NOTIFY round trip). */
    LIVE_CHECK_SECONDS: positiveInt(15, 300),
    /**
     * Who signs users in: `better-auth` (the default: accounts in this database) or `clerk`
     * (Clerk's hosted sign-in; users synced into the same `user` table by signed webhook). Read at
     * boot: one build serves either, switching needs a restart.
     */
    AUTH_PROVIDER: z.preprocess(
      (v) => (v === "" ? undefined : v),
      z.enum(["better-auth", "clerk"], { error: "must be better-auth or clerk" }).default("better-auth"),
    ),
    /** Clerk's publishable key (`pk_live_…` or `pk_test_…`), handed to the browser at runtime. */
    NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: optional(
      z
        .string()
        .regex(
          /^pk_(live|test)_[A-Za-z0-9+/=_-]+$/,
          "must be a Clerk publishable key (pk_live_… or pk_test_…)",
        ),
    ),
    /** Clerk's secret key (`sk_live_…`, `sk_test_…`); server only. */
    CLERK_SECRET_KEY: optional(
      z.string().regex(/^sk_/, "must be a Clerk secret key (sk_live_… or sk_test_…)"),
    ),
    /** The webhook endpoint's signing secret (`whsec_…`, Clerk dashboard → Webhooks). */
    CLERK_WEBHOOK_SIGNING_SECRET: optional(
      z.string().regex(/^whsec_[A-Za-z0-9+/=]+$/, "must be a webhook signing secret (whsec_…)"),
    ),
    /**
     * The instance's JWT public key (PEM, Clerk dashboard → API keys): session tokens are then
     * verified without a call to Clerk. Unset: Clerk's JWKS is fetched (and cached) over the network.
     */
    CLERK_JWT_KEY: optional(
      z
        .string()
        .transform((v) => v.replace(/\\n/g, "\n"))
        .refine((v) => /-----BEGIN PUBLIC KEY-----[\s\S]+-----END PUBLIC KEY-----/.test(v), {
          message: "must be a PEM public key (-----BEGIN PUBLIC KEY----- …)",
        }),
    ),
    /**
     * Origins whose session tokens are accepted (the token's `azp`), comma-separated: the app's
     * own public origin(s). Unset: any (Clerk's default); setting it is recommended.
     */
    CLERK_AUTHORIZED_PARTIES: commaList(
      z.array(z.url({ error: "must be comma-separated origins, e.g. https://pulseboard.example.com" })),
    ),
    BETTER_AUTH_SECRET: z.preprocess((v) => (v === "" ? undefined : v), z.string().optional()),
    BETTER_AUTH_URL: z.preprocess(
      (v) => (v === "" ? undefined : v),
      z.url({ error: "must be the app's public URL, e.g. https://pulseboard.example.com" }).optional(),
    ),
    /**
     * Origins trusted besides BETTER_AUTH_URL's, comma-separated. `pnpm start` sets the loopback
     * names and this machine's addresses on the embedded defaults; production lists its extra
     * domains here, or nothing.
     */
    TRUSTED_ORIGINS: commaList(
      z.array(
        z.url({ error: "must be comma-separated origins, e.g. https://a.example.com,https://b.example.com" }),
      ),
    ),
  })
  .superRefine((env, ctx) => {
    checkRetention(env, ctx);
    if (env.AUTH_PROVIDER === "clerk") {
      const needed = {
        NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: "Clerk dashboard → API keys",
        CLERK_SECRET_KEY: "Clerk dashboard → API keys",
        CLERK_WEBHOOK_SIGNING_SECRET: "Clerk dashboard → Webhooks; CLERK_WEBHOOK_SECRET is read too",
      } as const;
      for (const [name, where] of Object.entries(needed)) {
        if (!env[name as keyof typeof needed])
          ctx.addIssue({
            code: "custom",
            path: [name],
            message: `is required with AUTH_PROVIDER=clerk (${where})`,
          });
      }
      // Better Auth's secret and URL are not used.
      return;
    }
    if (env.NODE_ENV !== "production") return;
    if (!env.BETTER_AUTH_SECRET) {
      ctx.addIssue({
        code: "custom",
        path: ["BETTER_AUTH_SECRET"],
        message: "is required in production (generate one with `openssl rand -base64 32`)",
      });
    } else if (env.BETTER_AUTH_SECRET.length < 32) {
      ctx.addIssue({
        code: "custom",
        path: ["BETTER_AUTH_SECRET"],
        message: "must be at least 32 characters",
      });
    }
    if (!env.BETTER_AUTH_URL) {
      ctx.addIssue({
        code: "custom",
        path: ["BETTER_AUTH_URL"],
        message: "is required in production (the app's public URL)",
      });
    }
  })
  .transform((env) => ({
    ...env,
    BETTER_AUTH_SECRET: env.BETTER_AUTH_SECRET ?? DEV_AUTH_SECRET,
    BETTER_AUTH_URL: env.BETTER_AUTH_URL ?? "http://localhost:3000",
  }));

export type WebEnv = z.output<typeof webEnvSchema>;

// `next build` imports route modules to collect page data but runs nothing: it needs no database
// or secrets, so placeholders stand in for whatever is unset. `next start` validates for real.
const BUILD_PLACEHOLDERS = {
  DATABASE_URL: "postgres://build-placeholder@127.0.0.1:1/none",
  BETTER_AUTH_SECRET: "build-time-placeholder-never-used-at-runtime",
  BETTER_AUTH_URL: "http://localhost:3000",
};
const building = process.env.NEXT_PHASE === "phase-production-build";

// The seed's name for the webhook secret is read too (the documented one wins).
const source = {
  ...process.env,
  CLERK_WEBHOOK_SIGNING_SECRET: process.env.CLERK_WEBHOOK_SIGNING_SECRET || process.env.CLERK_WEBHOOK_SECRET,
};

export const env: WebEnv = loadEnv(
  "web",
  webEnvSchema,
  building ? { ...BUILD_PLACEHOLDERS, ...source } : source,
);
