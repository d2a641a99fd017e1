#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what it needs, then type-checks,
# lints, checks migrations for drift and runs unit and integration tests on the real
# PostgreSQL and Redis of this machine, then the browser tests (Debian's chromium, axe).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh

ensure_node_modules
ensure_pdf_tools
ensure_chromium
ensure_services

say "Type-checking and building"
npx nest build api
# The build checks what ships; this checks the tests, benchmarks and scripts too (run by swc, unchecked).
say "Type-checking tests, benchmarks and scripts"
npx tsc -p tsconfig.json --noEmit
say "Linting"
npx eslint apps libs test scripts bench --max-warnings 0
say "Checking entities against migrations"
export DATABASE_ADMIN_URL=${DATABASE_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}
export TEST_DATABASE_ADMIN_URL=$DATABASE_ADMIN_URL
drift_db=pcn_drift_check
node -e "
  const { Client } = require('pg'); const c = new Client({ connectionString: process.argv[1] });
  (async () => { await c.connect(); await c.query('DROP DATABASE IF EXISTS $drift_db WITH (FORCE)'); await c.query('CREATE DATABASE $drift_db'); await c.end(); })()
    .catch((e) => { console.error(e.message); process.exit(1); });" "$DATABASE_ADMIN_URL"
drift_url=$(node -e "const u = new URL(process.argv[1]); u.pathname = '/$drift_db'; console.log(u.toString())" "$DATABASE_ADMIN_URL")
DATABASE_URL=$drift_url node dist/apps/cli/src/main.js migrate >/dev/null
DATABASE_URL=$drift_url node dist/apps/cli/src/main.js migration:check

say "Unit tests"
npx jest --selectProjects unit --ci
say "Integration and end-to-end tests (real PostgreSQL, Redis, BullMQ, SMTP)"
npx jest --selectProjects integration --ci --maxWorkers=2
say "Browser tests (chromium: journeys with and without JavaScript, axe WCAG 2.2 AA on every page)"
npx jest --selectProjects browser --ci --runInBand
say "Every check and test passed"
