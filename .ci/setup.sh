#!/usr/bin/env bash
# Sets up everything gdcore's site and tests need, idempotently, on a fresh Debian machine:
#   .venv/ (Python packages pinned in pyproject.toml), node_modules/ (npm ci),
#   the verified Pyodide 0.27.7 distribution (cached outside the repo),
#   and, with --browser, Debian's chromium (and poppler-utils) for the browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."

want_browser=0
for arg in "$@"; do
  case "$arg" in
    --browser) want_browser=1 ;;
    *) echo "setup.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# chromium drives the browser tests; poppler-utils' pdftotext reads the printed PDFs.
if [ "$want_browser" = 1 ] && { [ ! -x /usr/bin/chromium ] || ! command -v pdftotext >/dev/null; }; then
  echo "== installing Debian chromium and poppler-utils (browser tests)"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium poppler-utils >/dev/null
fi

if ! command -v npm >/dev/null 2>&1; then
  echo "== installing Node.js and npm"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "== creating .venv"
  "$PY" -m venv .venv
fi
echo "== pip install -e .[test]"
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]'

echo "== npm ci"
npm ci --no-audit --no-fund --loglevel=error

echo "== Pyodide distribution"
.venv/bin/python overrides/pyodide_dist.py ensure
