// What a person's account holds, counted for the delete dialog (it says what goes), scoped by
// the user in each subquery.
import type { Database } from "../client";

export interface AccountFootprint {
  devices: number;
  rules: number;
  workouts: number;
  plans: number;
  threads: number;
  replies: number;
}

export async function accountFootprint(db: Database, userId: string): Promise<AccountFootprint> {
  const sql = db.$client;
  const [row] = await sql<AccountFootprint[]>`
    select
      (select count(*)::int from devices where owner_id = ${userId}) as devices,
      (select count(*)::int from alert_rules r join devices d on d.id = r.device_id where d.owner_id = ${userId}) as rules,
      (select count(*)::int from workout_logs where user_id = ${userId}) as workouts,
      (select count(*)::int from workout_plans where owner_id = ${userId}) as plans,
      (select count(*)::int from threads where author_id = ${userId}) as threads,
      (select count(*)::int from thread_replies where author_id = ${userId}) as replies`;
  return row ?? { devices: 0, rules: 0, workouts: 0, plans: 0, threads: 0, replies: 0 };
}
