#!/usr/bin/env bash
# Every benchmark, from a fresh clone after `npm ci`: each writes its own section of
# docs/benchmarks.md. Needs PostgreSQL and Redis on the default local ports (or
# DATABASE_ADMIN_URL / REDIS_URL) and pgbench for the database ceiling.
#   npm run bench                 both benchmarks
#   bash scripts/bench.sh pdf     only the PDF render and seal benchmark
#   bash scripts/bench.sh workflow [args]   only the approval workflow benchmark (args go to it)
#   bash scripts/bench.sh pages [args]      only the page render benchmark (args go to it)
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh

[ -d node_modules ] || die "node_modules is missing: run npm ci first"
which=${1:-all}
[ $# -gt 0 ] && shift
status=0

if [ "$which" = all ] || [ "$which" = pdf ]; then
  say "PDF render and seal (bench/pdf/render-seal.bench.js)"
  node bench/pdf/render-seal.bench.js || { status=1; echo "PDF benchmark failed" >&2; }
  say "PAdES B-LTA seal against the loopback test TSA (bench/pdf/pades-lta.bench.js)"
  node bench/pdf/pades-lta.bench.js || { status=1; echo "PAdES B-LTA benchmark failed" >&2; }
fi

if [ "$which" = all ] || [ "$which" = workflow ]; then
  ensure_services
  command -v pgbench >/dev/null || echo "pgbench not found (apt-get install postgresql-client): the database ceiling will be reported as not measured" >&2
  say "Approval workflow (bench/workflow/approvals.bench.js)"
  node bench/workflow/approvals.bench.js "$@" || { status=1; echo "Approval workflow benchmark failed (or a check in it failed)" >&2; }
fi

if [ "$which" = all ] || [ "$which" = pages ]; then
  ensure_services
  say "Page rendering: review page and schedule form against the JSON request (bench/pages/page-render.bench.js)"
  node bench/pages/page-render.bench.js "$@" || { status=1; echo "Page render benchmark failed" >&2; }
fi

exit $status
