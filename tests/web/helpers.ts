// Shared pieces of the web tests: an authenticated JSON client and direct inserts of telemetry.
import type { TestDatabase } from "@pulseboard/devstack/test";
import type { TestUser } from "@pulseboard/devstack/test/web";

export interface ApiResult<T = unknown> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
}

/** A request to the web app's API as `user` (or anonymously with null). */
// biome-ignore lint/suspicious/noExplicitAny: response bodies are checked by the assertions
export async function api<T = any>(
  baseUrl: string,
  user: TestUser | null,
  method: string,
  path: string,
  body?: unknown,
): Promise<ApiResult<T>> {
  const headers: Record<string, string> = { origin: baseUrl };
  if (user) headers.cookie = user.cookie;
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    redirect: "manual",
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: parsed as T, text, headers: res.headers };
}

/** One reading per `stepSeconds` from `from` for `count` readings, value = f(i). */
export async function insertReadings(
  database: TestDatabase,
  deviceId: string,
  metric: string,
  from: Date,
  count: number,
  stepSeconds: number,
  value: (i: number) => number,
): Promise<void> {
  const values = Array.from({ length: count }, (_, i) => value(i));
  await database.sql`
    insert into sensor_readings (device_id, metric, value, recorded_at)
    select ${deviceId}, ${metric}, v, ${from.toISOString()}::timestamptz + make_interval(secs => (i - 1) * ${stepSeconds})
    from unnest(${values}::float8[]) with ordinality as t(v, i)`;
}
