#!/usr/bin/env bash
# Fault drills: the API and the worker as real processes on a private PostgreSQL cluster and
# a private Redis, which the drills kill -9, stop, restart and SIGTERM during approval rounds,
# then check that nothing was lost, done twice or left half-written. Needs PostgreSQL's
# server binaries (initdb, pg_ctl) and redis-server; touches neither shared instance.
# FAULT_SEED=<n> replays a run's random choices (each drill prints its seed).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh

ensure_node_modules
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || die "initdb is missing: the drills run a PostgreSQL cluster of their own (install the postgresql package)"
command -v redis-server >/dev/null || die "redis-server is missing: the drills run a Redis of their own (install the redis-server package)"

say "Fault drills (worker kill -9, Redis and PostgreSQL outages, SIGTERM, duplicate and poisoned jobs)"
started=$(date +%s)
status=0
npx jest --selectProjects faults --ci --runInBand "$@" || status=$?
echo "fault drills took $(( $(date +%s) - started )) s"
exit $status
