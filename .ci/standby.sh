# A streaming standby of this machine's PostgreSQL 15, for the tests' read replica (issue 13).
# Sourced by .ci/run (bash):
#   start_standby  — base backup of 127.0.0.1:5432 (pg_basebackup, its own replication slot) into
#                    a temporary folder, started as a hot standby on a free port; sets
#                    STANDBY_URL=postgres://postgres@127.0.0.1:<port>/postgres. Returns non-zero,
#                    having said why, when it cannot.
#   stop_standby   — stops it, drops its slot (a slot nobody reads keeps WAL forever), removes
#                    the folder and the pg_hba.conf line start_standby added. Safe to call twice.
# Run by hand: `bash -c 'source .ci/standby.sh && start_standby && echo $STANDBY_URL; stop_standby'`.

STANDBY_BIN=/usr/lib/postgresql/15/bin
STANDBY_SLOT=pulseboard_ci_standby
STANDBY_HBA_LINE='host replication postgres 127.0.0.1/32 trust # pulseboard CI standby'
STANDBY_DIR=
STANDBY_PORT=
STANDBY_URL=
STANDBY_HBA=

_standby_psql() { psql -h 127.0.0.1 -p 5432 -U postgres -d postgres -XtAq "$@"; }

_standby_drop_slot() {
  # A walsender still holding the slot (a standby left over from a killed run) is ended first.
  _standby_psql -c "select pg_terminate_backend(active_pid) from pg_replication_slots
                    where slot_name = '$STANDBY_SLOT' and active_pid is not null" >/dev/null
  for _ in $(seq 1 20); do
    _standby_psql -c "select pg_drop_replication_slot(slot_name) from pg_replication_slots
                      where slot_name = '$STANDBY_SLOT'" >/dev/null 2>&1 && break
    sleep 0.2
  done
}

_standby_stop_dir() {
  runuser -u postgres -- "$STANDBY_BIN/pg_ctl" -D "$1/data" -m fast -w -t 30 stop >/dev/null 2>&1 \
    || runuser -u postgres -- "$STANDBY_BIN/pg_ctl" -D "$1/data" -m immediate -w stop >/dev/null 2>&1
}

start_standby() {
  local hba settings primary_settings wal_level senders slots dir
  # What a run that was killed before its cleanup left: its standby, stopped and removed.
  for dir in /tmp/pulseboard-standby-*; do
    [[ -f $dir/data/postmaster.pid ]] && _standby_stop_dir "$dir"
    [[ -d $dir ]] && rm -rf "$dir"
  done
  # Replication connections from 127.0.0.1 (a plain "all" line does not cover them).
  hba=$(_standby_psql -c 'show hba_file') || { echo "standby: cannot ask PostgreSQL for its pg_hba.conf"; return 1; }
  if ! grep -Eq '^[[:space:]]*host[[:space:]]+replication[[:space:]]+(postgres|all)[[:space:]]+127\.0\.0\.1/32[[:space:]]+trust' "$hba"; then
    printf '%s\n' "$STANDBY_HBA_LINE" >>"$hba" || { echo "standby: cannot add a replication line to $hba"; return 1; }
    STANDBY_HBA=$hba
    _standby_psql -c 'select pg_reload_conf()' >/dev/null
  fi
  # A standby needs WAL with enough detail, a sender and a slot (15's defaults: replica, 10, 10).
  settings=$(_standby_psql -F ' ' -c "select current_setting('wal_level'), current_setting('max_wal_senders'),
      current_setting('max_replication_slots')::int - (select count(*) from pg_replication_slots where slot_name <> '$STANDBY_SLOT')")
  read -r wal_level senders slots <<<"$settings"
  if [[ $wal_level == minimal || ${senders:-0} -lt 1 || ${slots:-0} -lt 1 ]]; then
    echo "standby: PostgreSQL has wal_level=$wal_level, max_wal_senders=$senders, $slots free replication slots (needs replica, 1, 1)"
    return 1
  fi
  _standby_drop_slot

  STANDBY_DIR=$(mktemp -d /tmp/pulseboard-standby-XXXXXX) || return 1
  chown postgres: "$STANDBY_DIR" && chmod 700 "$STANDBY_DIR"
  STANDBY_PORT=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
  # -R writes standby.signal and primary_conninfo (postgresql.auto.conf); -C -S creates the slot
  # that keeps the WAL the standby has not received yet; a fast checkpoint starts it at once.
  if ! runuser -u postgres -- "$STANDBY_BIN/pg_basebackup" -h 127.0.0.1 -p 5432 -U postgres \
    -D "$STANDBY_DIR/data" -R -X stream -C -S "$STANDBY_SLOT" -c fast >"$STANDBY_DIR/basebackup.log" 2>&1; then
    echo "standby: pg_basebackup failed: $(tail -n 3 "$STANDBY_DIR/basebackup.log" | tr '\n' ' ')"
    return 1
  fi
  # Debian keeps the cluster's configuration in /etc/postgresql, so the backup has none: a minimal
  # one of its own. A hot standby needs these limits at least as high as the primary's.
  primary_settings=$(_standby_psql -c "select string_agg(name || ' = ' || setting, E'\n') from pg_settings
      where name in ('max_connections', 'max_worker_processes', 'max_wal_senders',
                     'max_prepared_transactions', 'max_locks_per_transaction')")
  cat >"$STANDBY_DIR/data/postgresql.conf" <<CONF
port = $STANDBY_PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$STANDBY_DIR'
cluster_name = 'pulseboard-ci-standby'
hot_standby = on
# Queries on the standby hold back the primary's cleanup instead of being cancelled by it.
hot_standby_feedback = on
shared_buffers = 32MB
$primary_settings
CONF
  printf 'local all all trust\nhost all all 127.0.0.1/32 trust\n' >"$STANDBY_DIR/data/pg_hba.conf"
  : >"$STANDBY_DIR/data/pg_ident.conf"
  chown postgres: "$STANDBY_DIR/data/postgresql.conf" "$STANDBY_DIR/data/pg_hba.conf" "$STANDBY_DIR/data/pg_ident.conf"
  if ! runuser -u postgres -- "$STANDBY_BIN/pg_ctl" -D "$STANDBY_DIR/data" -l "$STANDBY_DIR/standby.log" \
    -w -t 60 start >/dev/null; then
    echo "standby: did not start: $(tail -n 3 "$STANDBY_DIR/standby.log" | tr '\n' ' ')"
    return 1
  fi
  STANDBY_URL="postgres://postgres@127.0.0.1:$STANDBY_PORT/postgres"
  # Ready means: accepting reads, in recovery, streaming from the primary.
  local state=
  for _ in $(seq 1 100); do
    state=$(psql "$STANDBY_URL" -XtAq -c "select pg_is_in_recovery() and exists (select from pg_stat_wal_receiver where status = 'streaming')" 2>/dev/null)
    [[ $state == t ]] && break
    sleep 0.1
  done
  if [[ $state != t ]]; then
    echo "standby: started but is not streaming from the primary: $(tail -n 3 "$STANDBY_DIR/standby.log" | tr '\n' ' ')"
    return 1
  fi
  echo "standby: streaming from 127.0.0.1:5432 on port $STANDBY_PORT (slot $STANDBY_SLOT, $STANDBY_DIR)"
}

stop_standby() {
  if [[ -n $STANDBY_DIR && -f $STANDBY_DIR/data/postmaster.pid ]]; then _standby_stop_dir "$STANDBY_DIR"; fi
  _standby_drop_slot
  if [[ -n $STANDBY_DIR ]]; then rm -rf "$STANDBY_DIR"; fi
  if [[ -n $STANDBY_HBA ]]; then
    grep -vxF "$STANDBY_HBA_LINE" "$STANDBY_HBA" >"$STANDBY_HBA.pulseboard-tmp" \
      && cat "$STANDBY_HBA.pulseboard-tmp" >"$STANDBY_HBA"
    rm -f "$STANDBY_HBA.pulseboard-tmp"
    _standby_psql -c 'select pg_reload_conf()' >/dev/null
  fi
  STANDBY_DIR= STANDBY_PORT= STANDBY_URL= STANDBY_HBA=
}
