import { relations } from "drizzle-orm";
import { user } from "../auth/tables";
import { categories, communityModerators, replyVotes, threadReplies, threads } from "./tables";

export const categoriesRelations = relations(categories, ({ many }) => ({
  threads: many(threads),
}));

export const threadsRelations = relations(threads, ({ one, many }) => ({
  category: one(categories, { fields: [threads.categoryId], references: [categories.id] }),
  author: one(user, { fields: [threads.authorId], references: [user.id] }),
  replies: many(threadReplies),
}));

export const threadRepliesRelations = relations(threadReplies, ({ one, many }) => ({
  thread: one(threads, { fields: [threadReplies.threadId], references: [threads.id] }),
  author: one(user, { fields: [threadReplies.authorId], references: [user.id] }),
  votes: many(replyVotes),
}));

export const replyVotesRelations = relations(replyVotes, ({ one }) => ({
  reply: one(threadReplies, { fields: [replyVotes.replyId], references: [threadReplies.id] }),
  voter: one(user, { fields: [replyVotes.voterId], references: [user.id] }),
}));

export const communityModeratorsRelations = relations(communityModerators, ({ one }) => ({
  user: one(user, { fields: [communityModerators.userId], references: [user.id] }),
}));
