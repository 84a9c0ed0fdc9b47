# Shared by bin/run and bin/test: install what a fresh Debian machine lacks, then the
# locked Python environment. Sourced, not executed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export UV_PYTHON_DOWNLOADS=never
# Some machines set PYTHONDONTWRITEBYTECODE: then every Python process (each test worker,
# manage.py, the Huey consumer, the processes the tests start) compiles every module it
# imports from source again, ~1.4 s of CPU apiece. Keep the bytecode cache on for ours.
unset PYTHONDONTWRITEBYTECODE

apt_install() {
  # Install only the Debian packages that are missing; needs root (or sudo).
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "Installing Debian packages: ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_uv() {
  if ! command -v uv >/dev/null 2>&1; then
    python3 -m pip install --quiet uv 2>/dev/null || python3 -m pip install --quiet --user --break-system-packages uv
    export PATH="$HOME/.local/bin:$PATH"
  fi
  # --compile-bytecode: the installed packages' .pyc files are written once, at install.
  uv sync --frozen --quiet --compile-bytecode
}

ensure_node_tools() {
  # Browser tooling only (Lighthouse, axe-core), from package-lock.json. Skipped when the
  # installed tree already matches the lock file.
  if ! command -v npm >/dev/null 2>&1; then
    apt_install nodejs npm
  fi
  local stamp=node_modules/.launchready-lock.sha256
  local want
  want="$(sha256sum package-lock.json | cut -d' ' -f1)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    npm ci --no-audit --no-fund --loglevel=error >/dev/null
    echo "$want" > "$stamp"
  fi
}

# WeasyPrint renders the handover PDF with Pango; fonts are embedded from these packages.
# poppler-utils' pdftotext lets scan_stored_text read issued PDFs for secret values.
RUNTIME_PACKAGES=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core git poppler-utils)
# Browser tests drive Debian's chromium; PDF tests use poppler's pdftoppm/pdftotext/pdfsig,
# NSS's certutil to give pdfsig a trust store holding the test CA, and redis-server for
# the tests that stop the queue mid-request (tests/faults.py); pg_dump (postgresql-client)
# for the guard sweep that greps a dump of the PostgreSQL test database.
TEST_PACKAGES=(chromium poppler-utils libnss3-tools redis-server postgresql-client)
