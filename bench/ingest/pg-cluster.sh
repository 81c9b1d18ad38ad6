#!/bin/sh
# A PostgreSQL cluster of the bench's own (bench/README.md, ingest): same version and settings as the
# shared cluster (shared_buffers 128MB, max_wal_size 1GB, fsync and synchronous_commit on, autovacuum
# off), its own data directory and port, started under `nice -n -15` so its backends (which inherit
# the postmaster's nice) are not slowed by other work on the machine running at nice 10.
#   sh bench/ingest/pg-cluster.sh start|stop   (as root; PGDATA_DIR / PGPORT override the defaults)
set -eu
DIR=${PGDATA_DIR:-/work/bench-ingest/data}
PORT=${PGPORT:-5545}
BIN=/usr/lib/postgresql/15/bin
case "${1:-start}" in
start)
  mkdir -p "$(dirname "$DIR")"
  chown postgres "$(dirname "$DIR")"
  if [ ! -f "$DIR/PG_VERSION" ]; then
    su postgres -c "$BIN/initdb -D $DIR -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8" >/dev/null
    cat >>"$DIR/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '/tmp'
max_connections = 100
shared_buffers = 128MB
max_wal_size = 1GB
min_wal_size = 80MB
fsync = on
synchronous_commit = on
autovacuum = off
shared_preload_libraries = 'pg_stat_statements'
timezone = 'Etc/UTC'
CONF
  fi
  nice -n -15 su postgres -c "$BIN/pg_ctl -D $DIR -l $DIR/../postgres.log -w start" >/dev/null
  # With autogroup scheduling, nice orders processes only within a session: the postmaster's session
  # group (which its backends inherit) gets the same nice level, or other sessions' work shares equally.
  PM=$(head -1 "$DIR/postmaster.pid")
  [ -w "/proc/$PM/autogroup" ] && echo -15 >"/proc/$PM/autogroup"
  psql -h 127.0.0.1 -p "$PORT" -U postgres -Atc "select 1 from pg_database where datname='test'" | grep -q 1 ||
    psql -h 127.0.0.1 -p "$PORT" -U postgres -qc 'create database test'
  psql -h 127.0.0.1 -p "$PORT" -U postgres -d test -qc 'create extension if not exists pg_stat_statements'
  echo "postgres://postgres@127.0.0.1:$PORT/test"
  ;;
stop) su postgres -c "$BIN/pg_ctl -D $DIR -m fast -w stop" ;;
esac
