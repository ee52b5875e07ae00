#!/usr/bin/env bash
# Start or stop a throw-away PostgreSQL cluster on a loopback port.
#   .ci/postgres.sh start DIR PORT   -> prints the DATABASE_URL
#   .ci/postgres.sh stop DIR
# Installs Debian's postgresql when no server binaries are found.
set -euo pipefail
cmd=${1:?start|stop}
dir=${2:?data directory}

find_bin() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$cmd" in
  start)
    port=${3:-55432}
    bin=$(find_bin)
    if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
      echo "installing PostgreSQL (apt)..." >&2
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq >&2
      apt-get install -y -qq postgresql >&2
      bin=$(find_bin)
    fi
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    if [ ! -f "$dir/PG_VERSION" ]; then
      as_owner "$bin/initdb" -D "$dir" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >&2
    fi
    as_owner "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=${PG_FSYNC:-off} -c max_connections=200" start >&2
    as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres engine_test >&2 2>/dev/null || true
    echo "postgresql://postgres@127.0.0.1:$port/engine_test"
    ;;
  stop)
    bin=$(find_bin)
    as_owner "$bin/pg_ctl" -D "$dir" -m fast -w stop >&2 || true
    ;;
  *) echo "usage: $0 start DIR PORT | stop DIR" >&2; exit 2 ;;
esac
