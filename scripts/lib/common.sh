# Shared by scripts/demo.sh, scripts/test.sh and .ci/run. Source it; do not run it.

# Each step's heading says how long the script has run, so a CI log shows where the time went.
say() { printf '\033[1m==> %s\033[0m (at %d s)\n' "$*" "$SECONDS"; }
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
  # certutil (libnss3-tools) builds the NSS trust store pdfsig judges the test seal with; openssl runs the test TSA;
  # softhsm2-util (softhsm2) makes the PKCS#11 token the HSM seal signer is tested against.
  for tool in pdfsig pdftotext pdffonts pdftoppm qpdf certutil openssl softhsm2-util; do command -v "$tool" >/dev/null || missing+=("$tool"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "Installing poppler-utils, qpdf, libnss3-tools, openssl and softhsm2"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils qpdf libnss3-tools openssl softhsm2 >/dev/null
  else
    die "missing ${missing[*]}: install the poppler-utils, qpdf, libnss3-tools, openssl and softhsm2 packages (e.g. sudo apt-get install poppler-utils qpdf libnss3-tools openssl softhsm2)"
  fi
}

# Debian's chromium for the browser tests (playwright-core drives it; no browser is downloaded).
ensure_chromium() {
  local path=${CHROMIUM_PATH:-/usr/bin/chromium}
  [ -x "$path" ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "Installing chromium (browser tests)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    [ -x "$path" ] || die "chromium was installed but $path is missing; set CHROMIUM_PATH"
  else
    die "$path is missing: install Debian's chromium package (e.g. sudo apt-get install chromium) or set CHROMIUM_PATH"
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
    # Compose interpolates the whole file, and the app services require JWT_ACCESS_SECRET and
    # SESSION_SECRET; postgres and redis do not use them, so placeholders keep this call from failing.
    JWT_ACCESS_SECRET=${JWT_ACCESS_SECRET:-unused-by-postgres-and-redis-placeholder} SESSION_SECRET=${SESSION_SECRET:-unused-by-postgres-and-redis-placeholder} \
      docker compose up -d --wait postgres redis 2>/dev/null \
      || JWT_ACCESS_SECRET=${JWT_ACCESS_SECRET:-unused-by-postgres-and-redis-placeholder} SESSION_SECRET=${SESSION_SECRET:-unused-by-postgres-and-redis-placeholder} docker-compose up -d postgres redis
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

# True when something accepts TCP connections on host:port (1 s timeout).
port_open() {
  node -e "
    const s = require('node:net').connect({ host: process.argv[1], port: +process.argv[2], timeout: 1000 });
    s.on('connect', () => { s.destroy(); process.exit(0); }); s.on('error', () => process.exit(1)); s.on('timeout', () => process.exit(1));" "$1" "$2"
}

# Prints the admin URL with its database name replaced: database_url_for URL NAME.
database_url_for() {
  node -e "const u = new URL(process.argv[1]); u.pathname = '/' + process.argv[2]; console.log(u.toString())" "$1" "$2"
}

# Makes sure the worker has a seal certificate and exports SEAL_P12_PATH (absolute) and
# SEAL_P12_PASSPHRASE, the names libs/documents reads (it also takes SEAL_P12_BASE64, the
# file's content, which wins over the path). A SEAL_P12_BASE64 or SEAL_P12_PATH already set
# is kept (SEAL_P12_PASSPHRASE must then be set too); otherwise the development certificate
# .secrets/dev-seal.p12 is used, generated on first use by scripts/dev-seal-cert.js with
# SEAL_P12_PASSPHRASE, else DEV_SEAL_PASSPHRASE, else that script's default passphrase.
# Stops with a clear message if the certificate does not open with the passphrase.
_common_sh_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ensure_seal_certificate() {
  local root=$_common_sh_root what=SEAL_P12_BASE64
  if [ -n "${SEAL_P12_BASE64:-}" ]; then
    [ -n "${SEAL_P12_PASSPHRASE:-}" ] || die "SEAL_P12_PASSPHRASE must be set when SEAL_P12_BASE64 is"
  elif [ -n "${SEAL_P12_PATH:-}" ]; then
    [ -f "$SEAL_P12_PATH" ] || die "SEAL_P12_PATH=$SEAL_P12_PATH: no such file"
    [ -n "${SEAL_P12_PASSPHRASE:-}" ] || die "SEAL_P12_PASSPHRASE must be set when SEAL_P12_PATH is"
    SEAL_P12_PATH=$(cd "$(dirname "$SEAL_P12_PATH")" && pwd)/$(basename "$SEAL_P12_PATH")
    export SEAL_P12_PATH; what=$SEAL_P12_PATH
  else
    SEAL_P12_PATH=$root/.secrets/dev-seal.p12
    SEAL_P12_PASSPHRASE=${SEAL_P12_PASSPHRASE:-${DEV_SEAL_PASSPHRASE:-dev-seal-passphrase}}
    if [ ! -f "$SEAL_P12_PATH" ]; then
      say "Generating a development seal certificate (.secrets/dev-seal.p12)"
      (cd "$root" && DEV_SEAL_PASSPHRASE=$SEAL_P12_PASSPHRASE node scripts/dev-seal-cert.js >/dev/null)
    fi
    export SEAL_P12_PATH; what=$SEAL_P12_PATH
  fi
  export SEAL_P12_PASSPHRASE
  (cd "$root" && node -e "try {
    const fs = require('node:fs'); const forge = require('node-forge');
    const file = process.env.SEAL_P12_BASE64 ? Buffer.from(process.env.SEAL_P12_BASE64, 'base64') : fs.readFileSync(process.env.SEAL_P12_PATH);
    const p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(forge.util.createBuffer(file.toString('binary'))), false, process.env.SEAL_P12_PASSPHRASE);
    const bags = (t) => p12.getBags({ bagType: t })[t] ?? [];
    if (bags(forge.pki.oids.pkcs8ShroudedKeyBag).length + bags(forge.pki.oids.keyBag).length === 0) throw new Error('it holds no private key');
    if (bags(forge.pki.oids.certBag).length === 0) throw new Error('it holds no certificate');
  } catch (e) { console.error(e.message); process.exit(1); }") \
    || die "the seal certificate ($what) does not open with SEAL_P12_PASSPHRASE; for the development one, set the passphrase it was made with or replace it: DEV_SEAL_PASSPHRASE=... node scripts/dev-seal-cert.js --force"
}
