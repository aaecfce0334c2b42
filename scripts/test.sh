#!/usr/bin/env bash
# The test command: every check and every test, from a bare clone.
#   formatting and lints → front-end type check, unit tests and build → Rust tests on SQLite →
#   the same HTTP suite and the backup test on PostgreSQL → release build → Playwright browser
#   tests → API fuzzing.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never

# Each stage prints how long the one before it took, so a slow CI run shows where time went.
stage_name="" stage_start=$SECONDS
stage() {
  [[ -n "$stage_name" ]] && echo "-- $stage_name: $((SECONDS - stage_start)) s (total $SECONDS s)"
  stage_name="$1" stage_start=$SECONDS
  echo "== $1"
}
trap '[[ -n "$stage_name" ]] && echo "-- $stage_name: $((SECONDS - stage_start)) s (total $SECONDS s)"' EXIT

stage "system packages"
bash scripts/system-deps.sh
stage "PostgreSQL"
pg_url=$(bash scripts/postgres.sh | tail -n1)

stage "front end: install, API drift check, unit tests, build"
(
  cd web
  npm ci --no-audit --no-fund --loglevel=error
  npm run check:api
  npm test
  npm run build
)

stage "rustfmt, clippy"
cargo fmt --all --check
cargo clippy --workspace --all-targets -- -D warnings

stage "the domain crate stays free of I/O and databases"
if cargo tree -p luodi-domain -e normal --prefix none | grep -Eq '^(sqlx|tokio|axum|reqwest)'; then
  echo "luodi-domain must not depend on sqlx, tokio, axum or reqwest" >&2
  exit 1
fi

stage "committed OpenAPI document is current"
cargo run -q -p luodi -- openapi | diff -q - docs/openapi.json >/dev/null || {
  echo "docs/openapi.json is stale: cargo run -p luodi -- openapi > docs/openapi.json" >&2
  exit 1
}

stage "Rust tests on SQLite"
cargo test --workspace

stage "HTTP tests on PostgreSQL"
# Databases left by earlier runs (each test makes its own) are dropped first.
psql "$pg_url" -Atqc "SELECT datname FROM pg_database WHERE datname LIKE 'luodi_test_%'" |
  while read -r db; do psql "$pg_url" -qc "DROP DATABASE IF EXISTS $db" >/dev/null; done
LUODI_TEST_DATABASE_URL="$pg_url" cargo test -p luodi-server --test api
psql "$pg_url" -Atqc "SELECT datname FROM pg_database WHERE datname LIKE 'luodi_backup_%'" |
  while read -r db; do psql "$pg_url" -qc "DROP DATABASE IF EXISTS $db" >/dev/null; done
LUODI_TEST_DATABASE_URL="$pg_url" cargo test -p luodi --test backup

stage "release build"
cargo build --release -p luodi
stage "browser tests"
(cd web && npm run e2e)

stage "API fuzzing (schemathesis over docs/openapi.json; fails on any 5xx)"
bash scripts/fuzz-api.sh
