import { createCategoryBody } from "@pulseboard/schema/community";
import { ForbiddenError } from "@pulseboard/schema/errors";
import { createCategory, listCategories } from "@pulseboard/schema/queries/community-categories";
import { json, parse, readJson, withErrors, withSession } from "@/lib/api";
import { moderates } from "@/lib/community";
import { db } from "@/lib/db";

/** Every category with its thread count and latest activity; anyone may read. */
export const GET = withErrors(async () => json(await listCategories(db)));

/** A new category: moderators only. */
export const POST = withSession(async (request, session) => {
  if (!(await moderates(session))) throw new ForbiddenError("only moderators create categories");
  const body = parse(createCategoryBody, await readJson(request), "category");
  return json(await createCategory(db, body), 201);
});
