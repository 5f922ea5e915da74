#!/usr/bin/env bash
# Run the pytest suite against PostgreSQL. Arguments are passed to pytest.
#
# The server: TEST_DATABASE_URL when set, else DATABASE_URL when it names PostgreSQL;
# its user needs CREATEDB (pytest-django creates test_<name> databases and drops them).
# Without either, a throw-away PostgreSQL cluster is started in a temporary folder on a
# free loopback port (Debian's `postgresql` package, installed with apt-get when missing
# and run as root) and removed when the run ends, whatever its outcome.
# Exit status: pytest's; 2 for a server that cannot be used or started.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python

fail() {
  echo "test-postgres: $*" >&2
  exit 2
}

url="${TEST_DATABASE_URL:-}"
source_name=TEST_DATABASE_URL
if [ -z "$url" ] && [[ "${DATABASE_URL:-}" =~ ^postgres(ql)?:// ]]; then
  url="$DATABASE_URL"
  source_name=DATABASE_URL
fi

if [ -n "$url" ]; then
  [[ "$url" =~ ^postgres(ql)?:// ]] ||
    fail "$source_name must be a postgres:// URL (got a URL for another database)."
  # Connect once before pytest does, so that a wrong URL gets one clear line rather
  # than a traceback in every xdist worker.
  VIGIL_CHECK_URL="$url" VIGIL_CHECK_NAME="$source_name" $PY scripts/postgres_check.py || exit 2
  echo "test-postgres: running the suite on the server named by $source_name" >&2
  DATABASE_URL="$url" exec .venv/bin/pytest "$@"
fi

# -- a throw-away cluster ---------------------------------------------------------
bindir=""
for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
  [ -x "$dir/initdb" ] && bindir="$dir" && break
done
if [ -z "$bindir" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing postgresql with apt-get..." >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
      [ -x "$dir/initdb" ] && bindir="$dir" && break
    done
    [ -n "$bindir" ] || fail "apt-get installed postgresql but no initdb is in /usr/lib/postgresql/*/bin."
  else
    fail "PostgreSQL is not installed. Install it (sudo apt-get install postgresql) and run make test again, or set TEST_DATABASE_URL=postgres://USER:PASSWORD@HOST:PORT/NAME (a user with CREATEDB)."
  fi
fi

# PostgreSQL refuses to run as root: as root the cluster belongs to `postgres` (made by
# the Debian package), otherwise to whoever runs this.
as_owner=()
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || fail "running as root, but there is no 'postgres' user to own the cluster."
  as_owner=(runuser -u postgres --)
fi

# tmpfs when there is a roomy one (containers often get 64 MB): the cluster is thrown
# away anyway, and its databases and WAL take a few hundred MB.
parent="${TMPDIR:-/tmp}"
if [ -d /dev/shm ] && [ -w /dev/shm ] &&
  [ "$(df -Pk /dev/shm | awk 'NR == 2 {print $4}')" -ge 2097152 ]; then
  parent=/dev/shm
fi
work=$(mktemp -d "$parent/vigil-test-pg.XXXXXX")
chmod 755 "$work"
data="$work/data"
log="$work/server.log"

cleanup() {
  status=$?
  if [ -f "$data/postmaster.pid" ]; then
    "${as_owner[@]}" "$bindir/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
  exit $status
}
# Ctrl-C reaches pytest and this script alike; pytest ends its run, then this removes the
# cluster. A signal sent to this script alone takes effect once pytest has ended.
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

password=$($PY -c 'import secrets; print(secrets.token_hex(16))')
printf '%s\n' "$password" >"$work/pwfile"
[ ${#as_owner[@]} -eq 0 ] || chown -R postgres: "$work"

"${as_owner[@]}" "$bindir/initdb" -D "$data" -U postgres --pwfile="$work/pwfile" \
  --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 \
  >"$work/initdb.log" 2>&1 || { cat "$work/initdb.log" >&2; fail "initdb failed."; }
rm -f "$work/pwfile"

# Settings for a disposable cluster: nothing needs to survive a crash, so no fsync,
# no synchronous commit, no full-page images, no WAL beyond what crash recovery needs.
cat >>"$data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$work'
fsync = off
synchronous_commit = off
full_page_writes = off
wal_level = minimal
max_wal_senders = 0
max_wal_size = 1GB
checkpoint_timeout = 30min
shared_buffers = 128MB
max_connections = 50
EOF

started=""
for _try in 1 2 3; do
  port=$($PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  if "${as_owner[@]}" "$bindir/pg_ctl" -D "$data" -l "$log" -o "-p $port" -w -t 60 start >/dev/null 2>&1; then
    started=1
    break
  fi
done
[ -n "$started" ] || { cat "$log" >&2 2>/dev/null; fail "the throw-away PostgreSQL server did not start."; }

"${as_owner[@]}" "$bindir/psql" -h "$work" -p "$port" -U postgres -d postgres -q -v ON_ERROR_STOP=1 \
  -c "CREATE ROLE vigil LOGIN CREATEDB PASSWORD '$password'" \
  -c "CREATE DATABASE vigil OWNER vigil" >/dev/null

echo "test-postgres: PostgreSQL $("$bindir/postgres" -V | awk '{print $3}') started in $work on 127.0.0.1:$port" >&2
status=0
DATABASE_URL="postgres://vigil:$password@127.0.0.1:$port/vigil" .venv/bin/pytest "$@" || status=$?
exit $status
