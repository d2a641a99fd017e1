#!/usr/bin/env bash
# `npm run demo`: from a fresh clone to a running platform with demo data.
# Installs dependencies, makes sure PostgreSQL and Redis answer (local services, else
# docker compose), creates the demo database, a development seal certificate, builds,
# migrates, seeds (a second run resets the demo passwords), then runs the API, the worker
# and a mail catcher until Ctrl-C, printing the address to open and the demo logins once
# everything answers. A port already in use stops it before anything is changed.
#
#   DATABASE_URL=...       use this database as is (not created); default: pcn_demo on
#                          DATABASE_ADMIN_URL (postgres://postgres@127.0.0.1:5432/postgres)
#   DEMO_DATABASE=name     demo database name (default pcn_demo)
#   REDIS_URL=...          default redis://127.0.0.1:6379 (keys under REDIS_PREFIX=pcn-demo)
#   PORT=3000              API port
#   DEMO_NO_START=1        stop after seeding (CI smoke tests)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh

ensure_node_modules

# --- environment for every step below (exported values win over a .env file) ---
export NODE_ENV=development
export PORT=${PORT:-3000}
export PUBLIC_BASE_URL=${PUBLIC_BASE_URL:-http://localhost:$PORT}
export REDIS_PREFIX=${REDIS_PREFIX:-pcn-demo}
export SMTP_HOST=${SMTP_HOST:-127.0.0.1}
export SMTP_PORT=${SMTP_PORT:-1025}
if [ -z "${SMTP_USER:-}" ]; then export SMTP_SECURE=${SMTP_SECURE:-false} SMTP_REQUIRE_TLS=${SMTP_REQUIRE_TLS:-false}; fi
if [ -z "${JWT_ACCESS_SECRET:-}" ]; then
  # A fresh secret per session: tokens from an earlier demo stop working, which is fine.
  JWT_ACCESS_SECRET=$(node -e "console.log(require('node:crypto').randomBytes(32).toString('base64url'))")
fi
export JWT_ACCESS_SECRET
if [ -z "${SESSION_SECRET:-}" ]; then
  SESSION_SECRET=$(node -e "console.log(require('node:crypto').randomBytes(32).toString('base64url'))")
fi
export SESSION_SECRET

# Before anything changes: with the port taken (another demo running?), seeding would reset
# the passwords that demo printed, and then this one could not start anyway.
if [ "${DEMO_NO_START:-}" != 1 ] && port_open 127.0.0.1 "$PORT"; then
  die "port $PORT is already in use (another demo or API still running?); stop it or run with PORT=<free port>. Nothing was changed."
fi

# --- PostgreSQL and Redis ---
if [ -n "${DATABASE_URL:-}" ]; then
  # A database given by URL is used as it is: check that one, create nothing.
  DATABASE_ADMIN_URL=${DATABASE_ADMIN_URL:-$DATABASE_URL} ensure_services
else
  export DATABASE_ADMIN_URL=${DATABASE_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}
  ensure_services
  demo_db=${DEMO_DATABASE:-pcn_demo}
  say "Using database $demo_db"
  ensure_database "$DATABASE_ADMIN_URL" "$demo_db"
  DATABASE_URL=$(database_url_for "$DATABASE_ADMIN_URL" "$demo_db")
fi
export DATABASE_URL
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379}

ensure_seal_certificate

# --- build, migrate, seed ---
say "Building (nest build)"
npx nest build api
if [ ! -f dist/apps/api/src/main.js ] || [ ! -f dist/apps/worker/src/main.js ] || [ ! -f dist/apps/cli/src/main.js ]; then
  # tsc's incremental state can outlive a deleted dist/apps and then emit nothing.
  rm -f dist/*.tsbuildinfo
  npx nest build api
fi
say "Migrating"
node dist/apps/cli/src/main.js migrate
say "Seeding demo data"
# The seed prints a summary line, then the logins table (with the password): the table is
# shown again at the end, where it is not lost in the apps' start-up logs.
seed_output=$(node dist/apps/cli/src/main.js seed)
seed_summary=${seed_output%%$'\n'*}
logins_table=${seed_output#"$seed_summary"}
while [ "${logins_table:0:1}" = $'\n' ]; do logins_table=${logins_table:1}; done
echo "    $seed_summary"

if [ "${DEMO_NO_START:-}" = 1 ]; then
  say "DEMO_NO_START=1: demo database ready, not starting the apps"
  printf '%s\n' "$logins_table"
  exit 0
fi

# --- run ---
if port_open 127.0.0.1 "$PORT"; then
  die "port $PORT is already in use (another API still running?); stop it or run with PORT=<free port>"
fi

pids=()
stopping=0
stop() {
  if [ "$stopping" = 1 ]; then return 0; fi
  stopping=1
  trap - INT TERM
  if [ ${#pids[@]} -gt 0 ]; then
    echo
    say "Stopping"
    kill -TERM "${pids[@]}" 2>/dev/null || true
    # Give the apps time to finish in-flight work, then insist.
    for _ in $(seq 1 100); do
      local alive=0
      for pid in "${pids[@]}"; do if kill -0 "$pid" 2>/dev/null; then alive=1; fi; done
      if [ "$alive" = 0 ]; then break; fi
      sleep 0.1
    done
    kill -KILL "${pids[@]}" 2>/dev/null || true
    wait "${pids[@]}" 2>/dev/null || true
  fi
}
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM
trap stop EXIT

# `cmd > >(prefix)`: $! is the node process itself, so it can be signalled directly.
prefix() { awk -v p="$1" '{ print p $0; fflush() }'; }

# Trusted time: unless TSA_URL is set, the loopback test TSA (test/support/test-tsa.ts, around
# `openssl ts -reply`, with its own test CA and CRLs) so documents are sealed PAdES B-LTA.
if [ -z "${TSA_URL:-}" ]; then
  if command -v openssl >/dev/null; then
    tsa_env=$(mktemp)
    node -r ./scripts/ts-register.js test/support/test-tsa.ts "$tsa_env" > >(prefix '[tsa]    ') 2>&1 &
    pids+=($!)
    for _ in $(seq 1 300); do [ -s "$tsa_env" ] && break; sleep 0.1; done
    if [ -s "$tsa_env" ]; then
      set -a; source "$tsa_env"; set +a
      say "Sealing PAdES B-LTA with trusted time from the local test TSA ($TSA_URL)"
    else
      say "The local test TSA did not start: documents will be sealed PAdES B-B (no trusted time)"
    fi
  else
    say "openssl is missing: no local timestamp authority, documents will be sealed PAdES B-B (no trusted time)"
  fi
fi

if [ "$SMTP_HOST" = 127.0.0.1 ] || [ "$SMTP_HOST" = localhost ]; then
  if port_open "$SMTP_HOST" "$SMTP_PORT"; then
    say "Using the SMTP server already listening on $SMTP_HOST:$SMTP_PORT for demo emails"
  else
    MAIL_CATCHER_HOST=127.0.0.1 MAIL_CATCHER_PORT=$SMTP_PORT node scripts/mail-catcher.js > >(prefix '[mail]   ') 2>&1 &
    pids+=($!)
  fi
fi

node dist/apps/api/src/main.js > >(prefix '[api]    ') 2>&1 &
api_pid=$!
pids+=("$api_pid")
node dist/apps/worker/src/main.js > >(prefix '[worker] ') 2>&1 &
worker_pid=$!
pids+=("$worker_pid")

health=http://localhost:$PORT/health
healthy() { node -e "fetch(process.argv[1]).then((r) => process.exit(r.status === 200 ? 0 : 1), () => process.exit(1))" "$1"; }
for i in $(seq 1 60); do
  if healthy "$health"; then break; fi
  kill -0 "$api_pid" 2>/dev/null || die "the API stopped during start-up (see [api] above)"
  kill -0 "$worker_pid" 2>/dev/null || die "the worker stopped during start-up (see [worker] above)"
  if [ "$i" = 60 ]; then die "$health did not answer 200 within 60 s"; fi
  sleep 1
done

cat <<EOF

$(say "PCN Agreements demo is running")

    Open  http://localhost:$PORT/  and sign in as one of these:

$logins_table

    Emails the platform sends appear here as [mail] lines (each has a link to open).
    Stop with Ctrl-C.

EOF

# Run until Ctrl-C/SIGTERM, or until the API or the worker exits on its own.
while kill -0 "$api_pid" 2>/dev/null && kill -0 "$worker_pid" 2>/dev/null; do sleep 1; done
kill -0 "$api_pid" 2>/dev/null || die "the API exited; stopping the demo"
die "the worker exited; stopping the demo"
