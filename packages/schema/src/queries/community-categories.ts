// Community categories: read by anyone, created by moderators (the caller checks the role).
import type { Database } from "../client";
import { ConflictError } from "../errors";
import type { CreateCategoryBody } from "../schema/community";

export interface CategorySummary {
  id: string;
  slug: string;
  name: string;
  description: string;
  threadCount: number;
  lastActivityAt: Date | null;
}

const columns = (sql: Database["$client"]) =>
  sql`id, slug, name, description, thread_count as "threadCount", last_activity_at as "lastActivityAt"`;

/** Every category, in the list's order (position, then name). */
export function listCategories(db: Database): Promise<CategorySummary[]> {
  const sql = db.$client;
  return sql<CategorySummary[]>`select ${columns(sql)} from categories order by position, name`;
}

/** A category by its slug; undefined when there is none. */
export async function getCategory(db: Database, slug: string): Promise<CategorySummary | undefined> {
  const sql = db.$client;
  const [row] = await sql<CategorySummary[]>`select ${columns(sql)} from categories where slug = ${slug}`;
  return row;
}

/** Creates a category; ConflictError when its slug is taken. */
export async function createCategory(db: Database, body: CreateCategoryBody): Promise<CategorySummary> {
  const sql = db.$client;
  const [row] = await sql<CategorySummary[]>`
    insert into categories (slug, name, description, position)
    values (${body.slug}, ${body.name}, ${body.description}, ${body.position})
    on conflict (slug) do nothing
    returning ${columns(sql)}`;
  if (!row)
    throw new ConflictError(`a category with the slug "${body.slug}" already exists`, { field: "slug" });
  return row;
}
