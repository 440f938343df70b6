// The start of the oldest transaction still open in this database (other than the caller's), as
// pg_stat_activity shows it: what a background job waits for before it trusts that no earlier
// statement can still write a row it would miss. SQL text (no parameters), for use in a query.
//
// - writers: transactions that have written (an xid). A reading's received_at is its
//   transaction's start, so none that commits later can carry an earlier one (the roll-up).
// - snapshots: also those holding a snapshot without having written yet (an INSERT … SELECT
//   that has not reached its first row), which may still write (the device purge).
// pg_stat_activity does not show other roles' sessions to an unprivileged user; callers add a
// margin for that.
export function oldestOpenTransaction(kind: "writers" | "snapshots"): string {
  const open =
    kind === "writers"
      ? "a.backend_xid is not null"
      : "(a.backend_xid is not null or a.backend_xmin is not null)";
  return `(select min(a.xact_start) from pg_stat_activity a
           where a.datname = current_database() and a.backend_type = 'client backend'
             and ${open} and a.pid <> pg_backend_pid())`;
}
