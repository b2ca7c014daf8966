#!/bin/sh
# A throwaway PostgreSQL server for the hub's tests and benchmarks.
#
#   sh scripts/pg-test-server.sh start DIR [--durable]
#       Makes a new cluster in DIR (which must not exist or be empty), starts
#       it on a free port of 127.0.0.1 (socket also in DIR/sock) and prints
#       its connection URI on standard output, for example
#         postgresql://kiosk_hub@127.0.0.1:41234/kiosk_hub
#       The role kiosk_hub has LOGIN and CREATEDB only (not a superuser),
#       owns the database kiosk_hub, and is what a hub is given in
#       production (README.md, "The hub on PostgreSQL").  Tests make one
#       database per test with it.  Without --durable the cluster runs with
#       fsync off: it is thrown away, and no test kills the server itself
#       (the hub is what tests kill).  Benchmarks pass --durable.
#   sh scripts/pg-test-server.sh stop DIR
#       Stops the server and removes DIR.
#   sh scripts/pg-test-server.sh uri DIR
#       Prints the URI of a running server again.
#   sh scripts/pg-test-server.sh ensure STATE_DIR
#       For CTest (fixture "pg"): when KIOSK_TEST_PG_URI is set (scripts/test.sh
#       starts one server for the whole run and sets it), checks that it
#       answers; otherwise starts a server of its own in a new folder under
#       /tmp.  Either way writes the URI to STATE_DIR/uri.  Fails, never skips:
#       a test that needs PostgreSQL and has none is a failed test.
#   sh scripts/pg-test-server.sh release STATE_DIR
#       Stops the server ensure started (not one given by KIOSK_TEST_PG_URI).
#
# initdb refuses to run as root: as root the cluster belongs to the
# postgres user (Debian's postgresql package makes it).  Exit status 0 when
# done; 1 with a message naming what is missing otherwise.
set -eu

die() { echo "pg-test-server: $*" >&2; exit 1; }

# Finds a PostgreSQL server program: PATH, then Debian's versioned folder.
pgbin() {
    if command -v "$1" >/dev/null 2>&1; then command -v "$1"; return 0; fi
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -n -r); do
        if [ -x "$d/$1" ]; then echo "$d/$1"; return 0; fi
    done
    die "$1 not found: install Debian's postgresql package (sh scripts/install-deps.sh)"
}

# Runs a command as the cluster's owner.
as_owner() {
    if [ "$(id -u)" = 0 ]; then
        # su drops the environment; the command is one quoted string
        cmd=""
        for a in "$@"; do cmd="$cmd '$(printf %s "$a" | sed "s/'/'\\\\''/g")'"; done
        su postgres -s /bin/sh -c "$cmd"
    else
        "$@"
    fi
}

# A TCP port nobody listens on now, from the kernel.
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

[ $# -ge 2 ] || die "usage: pg-test-server.sh start DIR [--durable] | stop DIR | uri DIR | ensure STATE_DIR | release STATE_DIR"
action=$1
dir=$2
case $action in
start)
    durable=0
    [ "${3:-}" = "--durable" ] && durable=1
    if [ -e "$dir" ] && [ -n "$(ls -A "$dir" 2>/dev/null)" ]; then
        die "$dir: exists and is not empty (stop the server there first)"
    fi
    initdb=$(pgbin initdb)
    pg_ctl=$(pgbin pg_ctl)
    psql=$(pgbin psql)
    mkdir -p "$dir/sock"
    dir=$(cd "$dir" && pwd)
    if [ "$(id -u)" = 0 ]; then
        id postgres >/dev/null 2>&1 || die "no postgres user: install Debian's postgresql package"
        chown -R postgres "$dir"
        # the owner must reach DIR through its parents
        su postgres -s /bin/sh -c "test -x '$dir'" || die "$dir: the postgres user cannot reach it; use a folder under /tmp"
    fi
    as_owner "$initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 \
        >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
    tries=0
    while :; do
        port=$(free_port)
        opts="-p $port -k $dir/sock -c listen_addresses=127.0.0.1 -c max_connections=200"
        [ $durable = 1 ] || opts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        if as_owner "$pg_ctl" -D "$dir/data" -o "$opts" -l "$dir/server.log" -w -t 60 start \
            >/dev/null 2>&1; then
            break
        fi
        tries=$((tries + 1))
        [ $tries -lt 5 ] || { tail -20 "$dir/server.log" >&2; die "the server did not start"; }
    done
    echo "$port" >"$dir/port"
    "$psql" -X -q -v ON_ERROR_STOP=1 -h "$dir/sock" -p "$port" -U postgres -d postgres \
        -c "CREATE ROLE kiosk_hub LOGIN CREATEDB" \
        -c "CREATE DATABASE kiosk_hub OWNER kiosk_hub" >/dev/null ||
        die "creating the kiosk_hub role and database failed"
    uri="postgresql://kiosk_hub@127.0.0.1:$port/kiosk_hub"
    echo "$uri" >"$dir/uri"
    echo "$uri"
    ;;
stop)
    [ -d "$dir/data" ] || die "$dir: no cluster there"
    pg_ctl=$(pgbin pg_ctl)
    as_owner "$pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
uri)
    [ -f "$dir/uri" ] || die "$dir: no server started there"
    cat "$dir/uri"
    ;;
ensure)
    mkdir -p "$dir"
    if [ -f "$dir/cluster" ]; then
        sh "$0" stop "$(cat "$dir/cluster")" 2>/dev/null || true
        rm -f "$dir/cluster"
    fi
    if [ -n "${KIOSK_TEST_PG_URI:-}" ]; then
        psql=$(pgbin psql)
        "$psql" -X -q -At -c "SELECT 1" "$KIOSK_TEST_PG_URI" >/dev/null ||
            die "KIOSK_TEST_PG_URI: the server does not answer (see above)"
        echo "$KIOSK_TEST_PG_URI" >"$dir/uri"
    else
        cluster=$(mktemp -d /tmp/kiosk-pg-test.XXXXXX)
        echo "$cluster" >"$dir/cluster"
        sh "$0" start "$cluster" >"$dir/uri"
    fi
    echo "PostgreSQL for the tests: $(cat "$dir/uri")"
    ;;
release)
    if [ -f "$dir/cluster" ]; then
        sh "$0" stop "$(cat "$dir/cluster")"
        rm -f "$dir/cluster"
    fi
    rm -f "$dir/uri"
    ;;
*)
    die "unknown action $action (start, stop or uri)"
    ;;
esac
