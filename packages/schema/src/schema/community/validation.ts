// Zod contracts of the community API (docs/api.md, "Community").
import { z } from "zod";

export const MAX_TITLE_LENGTH = 200;
export const MAX_BODY_LENGTH = 20_000;

const title = z
  .string({ error: "title is required" })
  .trim()
  .min(1, "title is required")
  .max(MAX_TITLE_LENGTH, `title is at most ${MAX_TITLE_LENGTH} characters`);
const body = z
  .string({ error: "body is required" })
  .trim()
  .min(1, "body is required")
  .max(MAX_BODY_LENGTH, `body is at most ${MAX_BODY_LENGTH} characters`);

export const categorySlug = z
  .string({ error: "slug is required" })
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, "slug is lowercase letters and digits joined by single hyphens")
  .max(48, "slug is at most 48 characters");

export const createCategoryBody = z.strictObject({
  slug: categorySlug,
  name: z.string().trim().min(1, "name is required").max(80, "name is at most 80 characters"),
  description: z.string().trim().max(200, "description is at most 200 characters").default(""),
  position: z.number().int().min(0).max(1000).default(0),
});

export const createThreadBody = z.strictObject({ title, body });

export const createReplyBody = z.strictObject({ body });

/** 1 up, -1 down, 0 takes the vote back. */
export const voteBody = z.strictObject({
  value: z.union([z.literal(-1), z.literal(0), z.literal(1)], { error: "value is 1, -1 or 0 (no vote)" }),
});

/** Moderation of a thread: lock or unlock, pin or unpin (either or both). */
export const moderateThreadBody = z
  .strictObject({
    status: z.enum(["open", "locked"]).optional(),
    isPinned: z.boolean().optional(),
  })
  .refine((b) => b.status !== undefined || b.isPinned !== undefined, {
    message: "nothing to change: send status or isPinned",
  });

export const searchQuery = z.object({
  q: z
    .string()
    .trim()
    .min(2, "search for at least 2 characters")
    .max(200, "search for at most 200 characters"),
});

/** A thread's page of replies (REPLIES_PER_PAGE each), 1 by default. */
export const threadPageQuery = z.object({
  page: z.coerce.number().int("page is a whole number").min(1, "page is at least 1").max(100_000).default(1),
});

export type CreateCategoryBody = z.infer<typeof createCategoryBody>;
export type CreateThreadBody = z.infer<typeof createThreadBody>;
export type ModerateThreadBody = z.infer<typeof moderateThreadBody>;
