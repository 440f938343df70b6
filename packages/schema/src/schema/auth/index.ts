export * from "./clerk";
export * from "./sign-in-failures";
export * from "./tables";
export * from "./user-settings";

import type { session, user } from "./tables";

export type User = typeof user.$inferSelect;
export type Session = typeof session.$inferSelect;
