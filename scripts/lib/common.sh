# Shared by scripts/demo.sh, scripts/test.sh and .ci/run. Source it; do not run it.

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf '\033[31mError: %s\033[0m\n' "$*" >&2; exit 1; }

# Installs npm dependencies when node_modules is missing or older than the lockfile.
ensure_node_modules() {
  command -v node >/dev/null || die "Node.js 20 or newer is needed: https://nodejs.org"
  local stamp=node_modules/.package-lock.sha
  local want; want=$(sha256sum package-lock.json | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    say "Installing npm dependencies (npm ci)"
    npm ci --no-audit --no-fund
    echo "$want" > "$stamp"
  fi
}

# PDF readers the tests use to check our PDFs from the outside (Debian packages).
ensure_pdf_tools() {
  local missing=()
  for tool in pdfsig pdftotext pdffonts pdftoppm qpdf; do command -v "$tool" >/dev/null || missing+=("$tool"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "Installing poppler-utils and qpdf"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils qpdf >/dev/null
  else
    die "missing ${missing[*]}: install the poppler-utils and qpdf packages (e.g. sudo apt-get install poppler-utils qpdf)"
  fi
}

pg_up() { pg_isready -q -d "${1:-postgres://postgres@127.0.0.1:5432/postgres}" 2>/dev/null || node -e "
  const { Client } = require('pg'); const c = new Client({ connectionString: process.argv[1] });
  c.connect().then(() => c.end()).then(() => process.exit(0), () => process.exit(1));" "${1:-postgres://postgres@127.0.0.1:5432/postgres}"; }
redis_up() { node -e "
  const Redis = require('ioredis'); const r = new Redis(process.argv[1], { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  r.connect().then(() => r.ping()).then(() => { r.disconnect(); process.exit(0); }, () => process.exit(1));" "${1:-redis://127.0.0.1:6379}"; }

# Makes sure PostgreSQL and Redis answer: the URLs given, else local services on the
# default ports (started if installed but stopped), else docker-compose, else a clear stop.
ensure_services() {
  local pg_url=${DATABASE_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}
  local redis_url=${REDIS_URL:-redis://127.0.0.1:6379}
  if ! pg_up "$pg_url" && [ -z "${DATABASE_URL:-}" ] && [ -d /etc/postgresql ] && command -v pg_ctlcluster >/dev/null; then
    say "Starting the local PostgreSQL cluster"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  fi
  if ! redis_up "$redis_url" && [ -z "${REDIS_URL:-}" ] && command -v redis-server >/dev/null; then
    say "Starting a local Redis"
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
  fi
  for _ in $(seq 1 30); do pg_up "$pg_url" && redis_up "$redis_url" && return 0; sleep 1; done
  if command -v docker >/dev/null && docker info >/dev/null 2>&1; then
    say "Starting PostgreSQL and Redis with docker compose"
    docker compose up -d --wait postgres redis 2>/dev/null || docker-compose up -d postgres redis
    for _ in $(seq 1 60); do pg_up "$pg_url" && redis_up "$redis_url" && return 0; sleep 1; done
  fi
  die "PostgreSQL ($pg_url) and Redis ($redis_url) must be reachable. Install and start them (e.g. apt-get install postgresql redis-server), set DATABASE_ADMIN_URL/REDIS_URL, or install Docker to use docker-compose.yml."
}

# Creates the named database if it does not exist yet.
ensure_database() {
  node -e "
    const { Client } = require('pg'); const [admin, name] = process.argv.slice(1);
    const c = new Client({ connectionString: admin });
    (async () => { await c.connect();
      const r = await c.query('SELECT 1 FROM pg_database WHERE datname = \$1', [name]);
      if (r.rowCount === 0) await c.query('CREATE DATABASE \"' + name.replace(/\"/g, '') + '\"');
      await c.end(); })().catch((e) => { console.error(e.message); process.exit(1); });" "$1" "$2"
}
