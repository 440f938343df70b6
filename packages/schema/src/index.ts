// The whole schema, for drizzle-kit and for `drizzle(client, { schema })`.
export * from "./schema/auth";
export * from "./schema/community";
export * from "./schema/fitness";
export * from "./schema/telemetry";
