#!/usr/bin/env bash
# Start or stop a throwaway PostgreSQL+PostGIS cluster on a local socket/port for
# tests and benchmarks. Usage: scripts/pg-throwaway.sh start|stop|url [DIR]
# Prints the SQLAlchemy URL on start. Runs as the 'postgres' OS user when root.
set -euo pipefail
cmd=${1:-start}
dir=${2:-${GRIDWATCH_PG_DIR:-/tmp/gridwatch-pg}}
port=${GRIDWATCH_PG_PORT:-54329}
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
[ -n "$bindir" ] || { echo "PostgreSQL is not installed: run 'make setup' (installs postgresql-15-postgis-3)." >&2; exit 1; }
run() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
url="postgresql+psycopg://gridwatch@127.0.0.1:${port}/gridwatch"
case "$cmd" in
  start)
    if [ -f "$dir/postmaster.pid" ] && run "$bindir/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
      echo "$url"; exit 0
    fi
    rm -rf "$dir"; mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    run "$bindir/initdb" -D "$dir" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >"$dir.initdb.log" 2>&1 \
      || { cat "$dir.initdb.log" >&2; exit 1; }
    run "$bindir/pg_ctl" -D "$dir" -l "$dir.log" -w \
      -o "-p $port -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c synchronous_commit=off" start >/dev/null \
      || { cat "$dir.log" >&2; exit 1; }
    run "$bindir/psql" -h 127.0.0.1 -p "$port" -U postgres -q -c "CREATE ROLE gridwatch LOGIN SUPERUSER" \
      -c "CREATE DATABASE gridwatch OWNER gridwatch" >/dev/null
    run "$bindir/psql" -h 127.0.0.1 -p "$port" -U postgres -d gridwatch -q -c "CREATE EXTENSION postgis" >/dev/null
    echo "$url"
    ;;
  stop)
    if [ -d "$dir" ]; then run "$bindir/pg_ctl" -D "$dir" -m fast stop >/dev/null 2>&1 || true; rm -rf "$dir" "$dir.log" "$dir.initdb.log"; fi
    ;;
  url) echo "$url" ;;
  *) echo "usage: $0 start|stop|url [DIR]" >&2; exit 2 ;;
esac
