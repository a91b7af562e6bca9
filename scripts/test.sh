#!/usr/bin/env bash
# The whole suite: lint, types, pytest on SQLite (with browser tests when
# Chromium is present), then pytest again on PostgreSQL when reachable.
# Says plainly what it skipped and why; fails when any part fails.
set -u
cd "$(dirname "$0")/.."
VENV=.venv
failed=()
skipped=()

step() { echo; echo "=== $1"; }

step "no merge leftovers tracked (*.orig, *.rej)"
leftovers=$(git ls-files '*.orig' '*.rej')
if [ -n "$leftovers" ]; then
  echo "$leftovers"
  failed+=("tracked merge leftovers: git rm them")
fi
step "ruff check"
$VENV/bin/ruff check . || failed+=("ruff check")
step "ruff format --check"
$VENV/bin/ruff format --check . || failed+=("ruff format")
step "docs/traceability.md is current"
$VENV/bin/python scripts/traceability.py --check || failed+=("traceability (run python scripts/traceability.py)")
step "mypy"
$VENV/bin/mypy guanwei || failed+=("mypy")
step "check --deploy in the production profile (GUANWEI_ENV=production): no warning"
# issue #9 §16: a fresh random key and a real host name, as docs/deploy.md asks
# and a vault master key file (decision 0031: the production profile refuses to run without)
deploy_var=$(mktemp -d)
$VENV/bin/guanwei vault new-key --out "$deploy_var/vault-key" >/dev/null
env -u DATABASE_URL GUANWEI_ENV=production GUANWEI_MFA=required GUANWEI_VAR_DIR="$deploy_var" \
  GUANWEI_ALLOWED_HOSTS=gw.example.gov.cn GUANWEI_VAULT_KEY_FILE="$deploy_var/vault-key" \
  GUANWEI_SECRET_KEY="$($VENV/bin/python -c 'import secrets; print(secrets.token_urlsafe(60))')" \
  $VENV/bin/guanwei manage check --deploy --fail-level WARNING || failed+=("check --deploy (production)")
rm -rf "$deploy_var"

export GUANWEI_VAR_DIR="${GUANWEI_VAR_DIR:-$(mktemp -d)}"
browser_args=()
if [ -x "${GUANWEI_CHROMIUM:-/usr/bin/chromium}" ]; then
  :
else
  skipped+=("browser tests: no Chromium at ${GUANWEI_CHROMIUM:-/usr/bin/chromium} (apt-get install chromium fonts-noto-cjk)")
  browser_args=(-m "not browser")
fi

step "pytest on SQLite"
env -u DATABASE_URL $VENV/bin/pytest -q -rs "${browser_args[@]}" "$@" || failed+=("pytest on SQLite")

pg_url="${DATABASE_URL:-}"
if [ -z "$pg_url" ] && $VENV/bin/python - <<'PY'
import socket, sys
s = socket.socket(); s.settimeout(1)
try:
    s.connect(("127.0.0.1", 5432))
except OSError:
    sys.exit(1)
PY
then
  pg_url="postgres://postgres@127.0.0.1:5432/guanwei"
fi
if [ -n "$pg_url" ]; then
  step "pytest on PostgreSQL ($pg_url)"
  DATABASE_URL="$pg_url" $VENV/bin/pytest -q -rs -m "not browser" "$@" || failed+=("pytest on PostgreSQL")
  if [ ${#browser_args[@]} -eq 0 ] && [ $# -eq 0 ]; then
    # Issue #8's acceptance: the W-11 correction walk in Chromium on PostgreSQL too (the
    # browser fixture recreates this database for the session).
    step "browser test of W-11 on PostgreSQL"
    browser_pg="${pg_url%/*}/guanwei_browser"
    env -u DATABASE_URL GUANWEI_BROWSER_DATABASE_URL="$browser_pg" $VENV/bin/pytest -q -rs \
      -m browser tests/browser/test_corrections.py || failed+=("W-11 browser test on PostgreSQL")
  fi
else
  skipped+=("PostgreSQL run: DATABASE_URL unset and nothing listens on 127.0.0.1:5432")
fi

echo
echo "=== summary"
for s in "${skipped[@]}"; do echo "SKIPPED: $s"; done
if [ ${#failed[@]} -gt 0 ]; then
  for f in "${failed[@]}"; do echo "FAILED: $f"; done
  exit 1
fi
echo "all parts passed"
