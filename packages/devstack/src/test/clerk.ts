// A stand-in for a Clerk instance, for tests of AUTH_PROVIDER=clerk without Clerk's servers. It
// speaks Clerk's wire formats with keys of its own:
// - session tokens: RS256 JWTs with Clerk's claims (sub, sid, iat, nbf, exp, azp, iss), verified
//   by the web app with CLERK_JWT_KEY (this instance's public key), sent as a bearer token or as
//   Clerk's cookies (`__session`, and `__client_uat` no later than the token's iat);
// - webhooks: Svix-signed (`svix-id`, `svix-timestamp`, `svix-signature: v1,<base64 HMAC-SHA256
//   of "<id>.<timestamp>.<body>">` with the base64 key after `whsec_`), computed here with
//   node:crypto, not with the library the app verifies them with.
// A production publishable key (`pk_live_`) is used: a development one would make Clerk's
// middleware expect its dev-browser handshake with Clerk's servers.
import { createHmac, generateKeyPairSync, type KeyObject, randomBytes, randomUUID, sign } from "node:crypto";

/** A signed-in test user (the shape of ./web.ts's TestUser; not imported, so that the web app's own
 * unit tests can use this file without pulling the test server helpers into its type check). */
export interface ClerkTestUser {
  email: string;
  password: string;
  cookie: string;
  id: string;
}

/** Clerk's frontend API host for this fake instance (what the publishable key encodes). */
export const CLERK_TEST_FRONTEND_API = "clerk.pulseboard.test";

export interface ClerkTokenClaims {
  sub: string;
  sid?: string;
  iat?: number;
  nbf?: number;
  exp?: number;
  azp?: string;
  iss?: string;
}

export interface ClerkUserInput {
  id?: string;
  email?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  username?: string | null;
  imageUrl?: string | null;
  /** Clerk's updated_at, ms. */
  updatedAt?: number;
  createdAt?: number;
}

export interface ClerkTestInstance {
  publishableKey: string;
  secretKey: string;
  webhookSecret: string;
  /** PEM (SPKI) public key: CLERK_JWT_KEY. */
  jwtKey: string;
  /** The web app's env for AUTH_PROVIDER=clerk with this instance. */
  env(extra?: Record<string, string>): Record<string, string>;
  /** A signed session token; `key` signs it instead of the instance's key (a wrong-key test). */
  token(claims: ClerkTokenClaims, key?: KeyObject): string;
  /** Clerk's session cookies for a token (`__client_uat` = its iat unless given). */
  cookie(token: string, clientUat?: number): string;
  /** A Clerk user object as user.created / user.updated carry it. */
  userData(input: ClerkUserInput): Record<string, unknown>;
  /** A webhook delivery of `payload`: the body and the svix headers, signed now (or at `at`, s). */
  delivery(
    payload: unknown,
    options?: { id?: string; at?: number; secret?: string },
  ): { body: string; headers: Record<string, string> };
  /** The same for a body given as text, whatever it holds. */
  deliveryOfText(
    body: string,
    options?: { id?: string; at?: number; secret?: string },
  ): { body: string; headers: Record<string, string> };
  /** POSTs a signed delivery to the app's webhook endpoint. */
  send(baseUrl: string, payload: unknown, options?: { id?: string; at?: number }): Promise<Response>;
  /** A user: user.created sent (unless `viaWebhook` is false), and a session cookie for them. */
  signUp(baseUrl: string, name?: string, options?: { viaWebhook?: boolean }): Promise<ClerkTestUser>;
}

const base64url = (data: Buffer | string) => Buffer.from(data).toString("base64url");

export function createClerkTestInstance(): ClerkTestInstance {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const jwtKey = publicKey.export({ type: "spki", format: "pem" }).toString();
  const publishableKey = `pk_live_${Buffer.from(`${CLERK_TEST_FRONTEND_API}$`).toString("base64")}`;
  const secretKey = `sk_live_${randomBytes(24).toString("hex")}`;
  const webhookSecret = `whsec_${randomBytes(24).toString("base64")}`;

  const token: ClerkTestInstance["token"] = (claims, key = privateKey) => {
    const now = Math.floor(Date.now() / 1000);
    const payload = {
      iss: `https://${CLERK_TEST_FRONTEND_API}`,
      sid: `sess_${randomUUID().replaceAll("-", "")}`,
      iat: now,
      nbf: now - 5,
      exp: now + 3600,
      v: 2,
      ...claims,
    };
    const header = { alg: "RS256", kid: "ins_pulseboard_test", typ: "JWT" };
    const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
    return `${signingInput}.${base64url(sign("sha256", Buffer.from(signingInput), key))}`;
  };

  const iatOf = (jwt: string): number =>
    (JSON.parse(Buffer.from(jwt.split(".")[1] ?? "", "base64url").toString()) as { iat: number }).iat;

  const userData: ClerkTestInstance["userData"] = (input) => {
    const id = input.id ?? `user_${randomUUID().replaceAll("-", "")}`;
    const emailId = `idn_${id}`;
    const createdAt = input.createdAt ?? Date.now();
    return {
      object: "user",
      id,
      email_addresses:
        input.email === null || input.email === undefined
          ? []
          : [
              // A secondary address listed first: the primary one is the one to keep.
              {
                id: `idn_secondary_${id}`,
                object: "email_address",
                email_address: `secondary-${id.toLowerCase()}@example.org`,
                verification: { status: "verified", strategy: "email_code" },
              },
              {
                id: emailId,
                object: "email_address",
                email_address: input.email,
                verification: { status: "verified", strategy: "email_code" },
              },
            ],
      primary_email_address_id: input.email ? emailId : null,
      first_name: input.firstName ?? null,
      last_name: input.lastName ?? null,
      username: input.username ?? null,
      image_url: input.imageUrl ?? "https://img.clerk.com/default-avatar",
      created_at: createdAt,
      updated_at: input.updatedAt ?? createdAt,
    };
  };

  const deliveryOfText: ClerkTestInstance["deliveryOfText"] = (body, options = {}) => {
    const id = options.id ?? `msg_${randomUUID().replaceAll("-", "")}`;
    const at = options.at ?? Math.floor(Date.now() / 1000);
    const key = Buffer.from((options.secret ?? webhookSecret).replace(/^whsec_/, ""), "base64");
    const signature = createHmac("sha256", key).update(`${id}.${at}.${body}`).digest("base64");
    return {
      body,
      headers: {
        "content-type": "application/json",
        "svix-id": id,
        "svix-timestamp": String(at),
        "svix-signature": `v1,${signature}`,
      },
    };
  };

  const delivery: ClerkTestInstance["delivery"] = (payload, options) =>
    deliveryOfText(JSON.stringify(payload), options);

  const instance: ClerkTestInstance = {
    publishableKey,
    secretKey,
    webhookSecret,
    jwtKey,
    env: (extra = {}) => ({
      AUTH_PROVIDER: "clerk",
      NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: publishableKey,
      CLERK_SECRET_KEY: secretKey,
      CLERK_WEBHOOK_SIGNING_SECRET: webhookSecret,
      CLERK_JWT_KEY: jwtKey,
      ...extra,
    }),
    token,
    cookie: (jwt, clientUat = iatOf(jwt)) => `__session=${jwt}; __client_uat=${clientUat}`,
    userData,
    delivery,
    deliveryOfText,
    send: (baseUrl, payload, options) => {
      const { body, headers } = delivery(payload, options);
      return fetch(`${baseUrl}/api/webhooks/clerk`, { method: "POST", headers, body });
    },
    async signUp(baseUrl, name = "Test User", { viaWebhook = true } = {}) {
      const email = `user-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@example.com`;
      const [firstName, ...rest] = name.split(" ");
      const data = userData({ email, firstName: firstName ?? null, lastName: rest.join(" ") || null });
      if (viaWebhook) {
        const res = await instance.send(baseUrl, { type: "user.created", object: "event", data });
        if (!res.ok) throw new Error(`user.created refused: HTTP ${res.status} ${await res.text()}`);
      }
      const id = data.id as string;
      return { email, password: "", cookie: instance.cookie(token({ sub: id })), id };
    },
  };
  return instance;
}
