#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests: installed from Debian's packages if missing,
# a fresh cluster in a temporary directory, listening on 127.0.0.1 only, on a free port.
#
# Sourced (what .ci/run does):
#     source .ci/postgres.sh && postgres_start && trap postgres_stop EXIT
#   postgres_start exports ES_TUI_TEST_POSTGRES_URL (and ES_TUI_BENCH_POSTGRES_URL).
# Run directly (by hand):
#     eval "$(bash .ci/postgres.sh start)"   # prints the exports and PG_CI_DIR
#     bash .ci/postgres.sh stop "$PG_CI_DIR"
# Restart, stop or start the server of a running cluster (tests of a server that goes away):
#     bash .ci/postgres.sh ctl "$PG_CI_DIR" restart|stop|start [fast|immediate|smart]
#
# The cluster is for tests: fsync is off unless PG_CI_DURABLE=1 (use that for benchmarks).

pg_ci_log() { echo "postgres.sh: $*" >&2; }

pg_ci_bindir() {
    local found
    found=$( (ls -d /usr/lib/postgresql/*/bin 2>/dev/null || true) | sort -V | tail -n 1)
    if [[ -n "$found" && -x "$found/initdb" ]]; then
        echo "$found"
    elif command -v initdb >/dev/null 2>&1; then
        dirname "$(command -v initdb)"
    fi
}

pg_ci_install() {
    if [[ -n "$(pg_ci_bindir)" ]]; then
        return 0
    fi
    if [[ $(id -u) -ne 0 ]]; then
        pg_ci_log "PostgreSQL is not installed and installing it needs root (apt-get install postgresql)"
        return 1
    fi
    pg_ci_log "installing PostgreSQL from the Debian packages"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq </dev/null >/dev/null
    apt-get install -y -qq --no-install-recommends postgresql </dev/null >/dev/null
    [[ -n "$(pg_ci_bindir)" ]] || { pg_ci_log "initdb not found after installing"; return 1; }
}

pg_ci_free_port() {
    python3 - <<'EOF'
import socket
with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    print(s.getsockname()[1])
EOF
}

# Run a command as the cluster's owner: PostgreSQL refuses to run as root.
pg_ci_as_owner() {
    if [[ $(id -u) -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

postgres_start() {
    unset PG_CI_DIR  # a stop (the caller's trap) must only ever reach the cluster made here
    pg_ci_install || return 1
    local bin port password dir
    bin=$(pg_ci_bindir)
    port=$(pg_ci_free_port)
    password=$(python3 -c 'import secrets; print(secrets.token_hex(12))')
    dir=$(mktemp -d /tmp/es-tui-pg.XXXXXX)
    export PG_CI_DIR="$dir" PG_CI_BIN="$bin"  # from here on, postgres_stop cleans up
    touch "$dir/es-tui-ci-cluster"
    chmod 755 "$dir"
    if [[ $(id -u) -eq 0 ]]; then chown postgres: "$dir"; fi
    # The superuser logs in only through the cluster's own socket directory (trust); the
    # test user needs its password over TCP.
    pg_ci_as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth-local=trust \
        --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; return 1; }
    local fsync=off
    [[ "${PG_CI_DURABLE:-0}" == "1" ]] && fsync=on
    cat >>"$dir/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
max_connections = 300
fsync = $fsync
synchronous_commit = $fsync
full_page_writes = $fsync
EOF
    pg_ci_as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 start >/dev/null \
        || { cat "$dir/server.log" >&2; return 1; }
    pg_ci_as_owner "$bin/psql" -h "$dir" -p "$port" -U postgres -d postgres -qAt \
        -v ON_ERROR_STOP=1 >/dev/null <<EOF || return 1
CREATE ROLE es_tui LOGIN PASSWORD '$password';
CREATE DATABASE es_tui OWNER es_tui;
EOF
    export ES_TUI_TEST_POSTGRES_URL="postgresql://es_tui:$password@127.0.0.1:$port/es_tui"
    export ES_TUI_BENCH_POSTGRES_URL="$ES_TUI_TEST_POSTGRES_URL"
    pg_ci_log "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (fsync=$fsync)"
}

postgres_stop() {
    local dir="${1:-${PG_CI_DIR:-}}" bin
    # only a directory this script made: never a server someone else runs
    [[ -n "$dir" && -f "$dir/es-tui-ci-cluster" ]] || return 0
    bin="${PG_CI_BIN:-$(pg_ci_bindir)}"
    pg_ci_as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    unset PG_CI_DIR
}

# pg_ctl on a cluster this script made: restart, stop or start its server, keeping its port.
postgres_ctl() {
    local dir="${1:-}" action="${2:-}" mode="${3:-fast}" bin
    [[ -n "$dir" && -f "$dir/es-tui-ci-cluster" ]] || { pg_ci_log "not a cluster of this script: $dir"; return 1; }
    case "$action" in restart|stop|start) ;; *) pg_ci_log "unknown action: $action"; return 2 ;; esac
    case "$mode" in fast|immediate|smart) ;; *) pg_ci_log "unknown mode: $mode"; return 2 ;; esac
    bin="${PG_CI_BIN:-$(pg_ci_bindir)}"
    local args=(-D "$dir/data" -w -t 60)
    [[ "$action" == "start" ]] || args+=(-m "$mode")
    [[ "$action" == "stop" ]] || args+=(-l "$dir/server.log")
    pg_ci_as_owner "$bin/pg_ctl" "${args[@]}" "$action" >/dev/null
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    set -euo pipefail
    case "${1:-}" in
        start)
            postgres_start
            echo "export PG_CI_DIR='$PG_CI_DIR' PG_CI_BIN='$PG_CI_BIN'"
            echo "export ES_TUI_TEST_POSTGRES_URL='$ES_TUI_TEST_POSTGRES_URL'"
            echo "export ES_TUI_BENCH_POSTGRES_URL='$ES_TUI_BENCH_POSTGRES_URL'"
            ;;
        stop) postgres_stop "${2:-}" ;;
        ctl) postgres_ctl "${2:-}" "${3:-}" "${4:-fast}" ;;
        *) echo "usage: $0 start | stop DIR | ctl DIR restart|stop|start [MODE]" >&2; exit 2 ;;
    esac
fi
