import { createThreadBody } from "@pulseboard/schema/community";
import { getCategory } from "@pulseboard/schema/queries/community-categories";
import { createThread, decodeCursor, listThreads } from "@pulseboard/schema/queries/community-threads";
import { ApiError, json, notFound, parse, readJson, searchParams, withErrors, withSession } from "@/lib/api";
import { checkLinkBrake, countAction } from "@/lib/community";
import { db } from "@/lib/db";

async function category(slug: string) {
  const found = await getCategory(db, slug);
  if (!found) throw notFound("category not found");
  return found;
}

/** The category's threads, pinned first, then by latest activity; `?cursor=` for the next page. */
export const GET = withErrors<{ slug: string }>(async (request, params) => {
  const { id } = await category(params.slug);
  const query = searchParams(request);
  const cursor = query.cursor ? decodeCursor(query.cursor) : undefined;
  if (query.cursor && !cursor) throw new ApiError(400, "invalid query: cursor: not a cursor this API gave");
  return json(await listThreads(db, id, { cursor }));
});

/** Starts a thread: a title and its opening post. */
export const POST = withSession<{ slug: string }>(async (request, session, params) => {
  const { id } = await category(params.slug);
  const body = parse(createThreadBody, await readJson(request), "thread");
  await checkLinkBrake(session.user.id, body.body);
  await countAction(session.user.id, "thread");
  return json(await createThread(db, session.user.id, id, body), 201);
});
