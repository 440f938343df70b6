// The production-like stack in docker-compose.yml keeps the architecture's database rule: the apps
// talk to PostgreSQL through PgBouncer in transaction mode; only migrations and the web app's
// LISTEN use the direct endpoint. No Docker here: the file is parsed and checked as data, with
// compose's `${VAR}` interpolation applied the way compose applies it.
import { readFileSync } from "node:fs";
import { INGEST_NODE_FLAGS } from "@pulseboard/devstack/node-flags";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

type Env = Record<string, string>;
interface Service {
  image?: string;
  build?: unknown;
  command?: string | string[];
  working_dir?: string;
  environment?: Env | string[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  volumes?: string[];
  ports?: string[];
  healthcheck?: { test?: string | string[] };
}
interface Compose {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

const readRepoFile = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), "utf8");
const compose = parse(readRepoFile("docker-compose.yml")) as Compose;
const services = compose.services;

const APPS = ["ingest", "alerter", "web"] as const;

/** A service's environment as a map, whichever of compose's two forms it is written in. */
function envOf(name: string): Env {
  const environment = services[name]?.environment;
  if (!environment) return {};
  if (!Array.isArray(environment)) return environment;
  return Object.fromEntries(
    environment.map((entry) => {
      const eq = entry.indexOf("=");
      return eq === -1 ? [entry, ""] : [entry.slice(0, eq), entry.slice(eq + 1)];
    }),
  );
}

/** A service's depends_on as {service: condition}, whichever of compose's two forms it uses. */
function dependsOn(name: string): Record<string, string> {
  const deps = services[name]?.depends_on;
  if (!deps) return {};
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((d) => [d, "service_started"]));
  return Object.fromEntries(
    Object.entries(deps).map(([d, spec]) => [d, spec?.condition ?? "service_started"]),
  );
}

class MissingVariable extends Error {}

/**
 * Compose's interpolation: `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?message}`,
 * `${VAR?message}`, and `$$` for a literal `$`.
 */
function interpolate(value: string, vars: Env): string {
  return value.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])([^}]*))?\}/g,
    (match, name: string | undefined, colon: string | undefined, op: string | undefined, arg = "") => {
      if (match === "$$") return "$";
      const key = name as string;
      const set = key in vars && (colon !== ":" || vars[key] !== "");
      if (set) return vars[key] as string;
      if (op === "-") return arg;
      if (op === "?") throw new MissingVariable(`${key}: ${arg}`);
      return "";
    },
  );
}

// What an operator sets before `docker compose up`: the required secrets, nothing optional.
const operatorEnv: Env = {
  BETTER_AUTH_SECRET: "0123456789abcdef0123456789abcdef0123",
  QSTASH_CURRENT_SIGNING_KEY: "sig_current_0123456789",
  QSTASH_NEXT_SIGNING_KEY: "sig_next_0123456789ab",
  MQTT_INGEST_PASSWORD: "0123456789abcdef",
  POSTGRES_PASSWORD: "5ec2e70123456789",
};

/** The value the container sees for `variable`, after interpolation with `vars`. */
const resolved = (service: string, variable: string, vars: Env = operatorEnv) => {
  const raw = envOf(service)[variable];
  return raw === undefined ? undefined : interpolate(raw, vars);
};

const urlOf = (service: string, variable: string, vars: Env = operatorEnv): URL => {
  const value = resolved(service, variable, vars);
  expect(value, `${service} ${variable}`).toBeTypeOf("string");
  return new URL(value as string);
};

describe("docker-compose.yml services", () => {
  it("defines every service the apps need", () => {
    for (const name of ["postgres", "pgbouncer", "mosquitto", "migrate", "ingest", "alerter", "web"]) {
      expect(services, name).toHaveProperty(name);
    }
  });

  it("names only existing services in depends_on", () => {
    for (const name of Object.keys(services)) {
      for (const dep of Object.keys(dependsOn(name))) {
        expect(Object.keys(services), `${name} depends on ${dep}`).toContain(dep);
      }
    }
  });

  it("runs PostgreSQL 17 with a pg_isready healthcheck and a data volume", () => {
    const pg = services.postgres as Service;
    expect(pg.image).toMatch(/^postgres:17(\b|$)/);
    expect(JSON.stringify(pg.healthcheck?.test)).toContain("pg_isready");
    const volume = pg.volumes?.find((v) => v.endsWith(":/var/lib/postgresql/data"));
    expect(volume).toBeDefined();
    expect(compose.volumes).toHaveProperty((volume as string).split(":")[0] as string);
  });
});

describe("the pooled endpoint (PgBouncer)", () => {
  const pgb = () => envOf("pgbouncer");

  it("pools in transaction mode", () => {
    expect(pgb().POOL_MODE).toBe("transaction");
  });

  it("points at the postgres service with its credentials and authenticates with SCRAM", () => {
    const env = pgb();
    expect(env.DB_HOST).toBe("postgres");
    expect(String(env.DB_PORT ?? "5432")).toBe("5432");
    expect(env.DB_USER).toBe(envOf("postgres").POSTGRES_USER);
    expect(interpolate(env.DB_PASSWORD ?? "", operatorEnv)).toBe(
      interpolate(envOf("postgres").POSTGRES_PASSWORD ?? "", operatorEnv),
    );
    expect(env.AUTH_TYPE).toBe("scram-sha-256");
    expect(String(env.LISTEN_PORT)).toBe("6432");
    expect(dependsOn("pgbouncer").postgres).toBe("service_healthy");
  });

  it.each(APPS)("%s's DATABASE_URL goes through pgbouncer:6432", (app) => {
    const url = urlOf(app, "DATABASE_URL");
    expect(url.protocol).toMatch(/^postgres(ql)?:$/);
    expect(url.hostname).toBe("pgbouncer");
    expect(url.port).toBe("6432");
    expect(url.pathname).toBe(`/${envOf("postgres").POSTGRES_DB}`);
    expect(decodeURIComponent(url.username)).toBe(envOf("postgres").POSTGRES_USER);
    expect(decodeURIComponent(url.password)).toBe(
      interpolate(envOf("postgres").POSTGRES_PASSWORD ?? "", operatorEnv),
    );
  });

  it("follows POSTGRES_PASSWORD everywhere when the operator sets it", () => {
    const vars = { ...operatorEnv, POSTGRES_PASSWORD: "f00dfeed" };
    expect(resolved("postgres", "POSTGRES_PASSWORD", vars)).toBe("f00dfeed");
    expect(resolved("pgbouncer", "DB_PASSWORD", vars)).toBe("f00dfeed");
    for (const app of APPS) expect(urlOf(app, "DATABASE_URL", vars).password).toBe("f00dfeed");
    expect(urlOf("migrate", "DATABASE_URL_DIRECT", vars).password).toBe("f00dfeed");
    expect(urlOf("web", "DATABASE_URL_DIRECT", vars).password).toBe("f00dfeed");
  });
});

describe("the direct endpoint", () => {
  it.each(["migrate", "web"])("%s's DATABASE_URL_DIRECT is postgres:5432, not the pooler", (service) => {
    const url = urlOf(service, "DATABASE_URL_DIRECT");
    expect(url.hostname).toBe("postgres");
    expect(url.port || "5432").toBe("5432");
  });

  it("migrate never goes through the pooler (db:migrate requires DATABASE_URL beside the direct one)", () => {
    expect(urlOf("migrate", "DATABASE_URL").hostname).toBe("postgres");
    expect(JSON.stringify(services.migrate?.command)).toContain("db:migrate");
    expect(dependsOn("migrate").postgres).toBe("service_healthy");
  });

  it.each(["ingest", "alerter"])("%s gets no direct URL", (app) => {
    expect(envOf(app)).not.toHaveProperty("DATABASE_URL_DIRECT");
  });

  it("only migrate and web reach postgres:5432 at all", () => {
    for (const name of Object.keys(services)) {
      if (["migrate", "web", "pgbouncer", "postgres"].includes(name)) continue;
      for (const [variable, raw] of Object.entries(envOf(name))) {
        expect(interpolate(raw, operatorEnv), `${name} ${variable}`).not.toMatch(/@postgres(:\d+)?\//);
      }
    }
  });
});

describe("start order", () => {
  it.each(APPS)("%s waits for the migration to complete and for pgbouncer", (app) => {
    const deps = dependsOn(app);
    expect(deps.migrate).toBe("service_completed_successfully");
    expect(deps).toHaveProperty("pgbouncer");
  });

  it("the apps run the production build of one image", () => {
    const images = new Set(["migrate", ...APPS].map((name) => services[name]?.image));
    expect(images.size).toBe(1);
    for (const name of ["migrate", ...APPS]) expect(services[name]?.build, name).toBeDefined();
    for (const app of APPS) expect(envOf(app).NODE_ENV, app).toBe("production");
  });

  it("the workers start from their app directory with tsx, the ingest with its node flags", () => {
    for (const app of ["ingest", "alerter"]) {
      expect(services[app]?.working_dir, app).toBe(`/app/apps/${app}`);
      const flags = app === "ingest" ? INGEST_NODE_FLAGS : [];
      expect(services[app]?.command, app).toEqual(["node", ...flags, "--import", "tsx", "src/server.ts"]);
    }
  });
});

describe("images", () => {
  it("are pinned to exact versions, the apps' base image too", () => {
    for (const [name, service] of Object.entries(services)) {
      if (service.build) continue;
      expect(service.image, name).toMatch(/^[\w./-]+:v?\d+\.\d+(\.\d+)?(-[\w.]+)?$/);
    }
    for (const from of readRepoFile("Dockerfile").match(/^FROM \S+/gm) ?? []) {
      if (/^FROM (base|build)$/.test(from)) continue;
      expect(from).toMatch(/^FROM [\w./-]+:\d+\.\d+\.\d+-[\w.-]+$/);
    }
  });
});

describe("ports", () => {
  it("/metrics has a port of its own on the compose network, never published to the host", () => {
    for (const app of ["ingest", "alerter"]) {
      const metricsPort = envOf(app).METRICS_PORT;
      expect(metricsPort, app).toMatch(/^\d+$/);
      const published = (services[app]?.ports ?? []).map((p) => p.split(":").at(-1));
      expect(published, app).not.toContain(metricsPort);
    }
  });

  it("listens on 0.0.0.0 at web 3000, ingest 3001, alerter 3002", () => {
    expect(envOf("ingest").INGEST_PORT).toBe("3001");
    expect(envOf("alerter").ALERTER_PORT).toBe("3002");
    expect(services.ingest?.ports).toContain("3001:3001");
    expect(services.alerter?.ports).toContain("3002:3002");
    expect(services.web?.ports).toContain("3000:3000");
    expect(JSON.stringify(services.web?.command)).toMatch(/"--port","3000"/);
    for (const app of ["ingest", "alerter"]) expect(envOf(app).HOST, app).toBe("0.0.0.0");
  });
});

describe("secrets", () => {
  it("web refuses to start without BETTER_AUTH_SECRET and defaults BETTER_AUTH_URL", () => {
    expect(envOf("web").BETTER_AUTH_SECRET).toMatch(/^\$\{BETTER_AUTH_SECRET:\?[^}]+\}$/);
    const { BETTER_AUTH_SECRET: _, ...withoutSecret } = operatorEnv;
    expect(() => resolved("web", "BETTER_AUTH_SECRET", withoutSecret)).toThrow(MissingVariable);
    expect(() => resolved("web", "BETTER_AUTH_SECRET", { ...withoutSecret, BETTER_AUTH_SECRET: "" })).toThrow(
      MissingVariable,
    );
    expect(resolved("web", "BETTER_AUTH_URL")).toBe("http://localhost:3000");
    expect(
      resolved("web", "BETTER_AUTH_URL", { ...operatorEnv, BETTER_AUTH_URL: "https://pb.example" }),
    ).toBe("https://pb.example");
  });

  it("web passes Clerk's variables through when set, and stays on Better Auth when not", () => {
    const clerk = {
      AUTH_PROVIDER: "clerk",
      NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: "pk_live_Y2xlcmsuZXhhbXBsZS5jb20k",
      CLERK_SECRET_KEY: "sk_live_secret",
      CLERK_WEBHOOK_SIGNING_SECRET: "whsec_c2VjcmV0",
      CLERK_WEBHOOK_SECRET: "whsec_c2VjcmV0",
      CLERK_JWT_KEY: "-----BEGIN PUBLIC KEY-----\\nMIIB\\n-----END PUBLIC KEY-----",
      CLERK_AUTHORIZED_PARTIES: "https://pb.example",
    };
    for (const [key, value] of Object.entries(clerk)) {
      expect(resolved("web", key, { ...operatorEnv, ...clerk }), key).toBe(value);
      expect(resolved("web", key), key).toBe(key === "AUTH_PROVIDER" ? "better-auth" : "");
    }
  });

  it.each(["QSTASH_CURRENT_SIGNING_KEY", "QSTASH_NEXT_SIGNING_KEY"])("alerter requires %s", (key) => {
    expect(envOf("alerter")[key]).toMatch(new RegExp(`^\\$\\{${key}:\\?[^}]+\\}$`));
    const { [key]: _, ...without } = operatorEnv;
    expect(() => resolved("alerter", key, without)).toThrow(MissingVariable);
    expect(resolved("alerter", key)).toBe(operatorEnv[key]);
  });

  it("gives the alerter the public URL its signatures are checked against, and the ingest the same", () => {
    expect(resolved("alerter", "ALERTER_PUBLIC_URL")).toBe("http://alerter:3002");
    expect(resolved("ingest", "ALERTER_URL")).toBe(resolved("alerter", "ALERTER_PUBLIC_URL"));
  });

  it("passes QSTASH_TOKEN through to the alerter, empty when unset", () => {
    expect(resolved("alerter", "QSTASH_TOKEN")).toBe("");
    expect(resolved("alerter", "QSTASH_TOKEN", { ...operatorEnv, QSTASH_TOKEN: "qstash_tok" })).toBe(
      "qstash_tok",
    );
  });

  it("has no default database password: every use of it requires POSTGRES_PASSWORD", () => {
    const raw = readRepoFile("docker-compose.yml");
    const uses = raw.match(/\$\{POSTGRES_PASSWORD[^}]*\}/g) ?? [];
    expect(uses.length).toBeGreaterThanOrEqual(5);
    for (const use of uses) expect(use).toMatch(/^\$\{POSTGRES_PASSWORD:\?[^}]+\}$/);
    const { POSTGRES_PASSWORD: _, ...without } = operatorEnv;
    expect(() => resolved("postgres", "POSTGRES_PASSWORD", without)).toThrow(MissingVariable);
    expect(() => resolved("ingest", "DATABASE_URL", without)).toThrow(MissingVariable);
  });

  it("holds no literal secret", () => {
    for (const app of APPS) {
      for (const key of ["BETTER_AUTH_SECRET", "QSTASH_CURRENT_SIGNING_KEY", "QSTASH_NEXT_SIGNING_KEY"]) {
        const raw = envOf(app)[key];
        if (raw !== undefined) expect(raw, `${app} ${key}`).toMatch(/^\$\{/);
      }
    }
  });
});

describe("MQTT", () => {
  it("the ingest subscribes at the mosquitto service, as the ingest user", () => {
    const url = urlOf("ingest", "MQTT_URL");
    expect(url.protocol).toBe("mqtt:");
    expect(url.hostname).toBe("mosquitto");
    expect(url.port).toBe("1883");
    expect(url.username).toBe("ingest");
    expect(decodeURIComponent(url.password)).toBe(operatorEnv.MQTT_INGEST_PASSWORD);
    expect(dependsOn("ingest")).toHaveProperty("mosquitto");
  });

  it("runs eclipse-mosquitto 2 with the repo's config, listening on 1883", () => {
    const mosquitto = services.mosquitto as Service;
    expect(mosquitto.image).toMatch(/^eclipse-mosquitto:2(\b|$)/);
    expect(mosquitto.volumes).toContain("./docker/mosquitto:/mosquitto/config:ro");
    expect(JSON.stringify(mosquitto.command)).toContain("-c /mosquitto/config/mosquitto.conf");
    const conf = readRepoFile("docker/mosquitto/mosquitto.conf");
    expect(conf).toMatch(/^listener 1883$/m);
    expect(conf).toMatch(/^password_file \/mosquitto\/data\/passwd$/m);
    expect(conf).toMatch(/^acl_file \/mosquitto\/config\/acl$/m);
  });

  it("lets anonymous devices publish readings but only the ingest read them", () => {
    const lines = readRepoFile("docker/mosquitto/acl")
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith("#"));
    const firstUser = lines.findIndex((l) => l.startsWith("user "));
    const anonymous = firstUser === -1 ? lines : lines.slice(0, firstUser);
    expect(anonymous).toContain("topic write devices/+/readings");
    for (const rule of anonymous) expect(rule, rule).toMatch(/^topic write /);
    expect(lines.some((l) => l.startsWith("pattern "))).toBe(false);
    const ingestRules = lines.slice(lines.indexOf("user ingest") + 1);
    expect(lines).toContain("user ingest");
    expect(ingestRules).toContain("topic read devices/+/readings");
  });

  it("the web app's provisioning line connects anonymously, as this Mosquitto requires", () => {
    // Its password file holds only the ingest's user: a device key as username would be refused.
    expect(envOf("web").MQTT_KEY_AS_USERNAME).toBe("0");
  });
});
