export * from "./relations";
export * from "./snapshot";
export * from "./tables";
export * from "./validation";

import type { categories, replyVotes, threadReplies, threads } from "./tables";

export type Category = typeof categories.$inferSelect;
export type Thread = typeof threads.$inferSelect;
export type ThreadReply = typeof threadReplies.$inferSelect;
export type ReplyVote = typeof replyVotes.$inferSelect;
