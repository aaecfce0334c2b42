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

stage "Rust tests on SQLite (the committed OpenAPI document is checked here too)"
cargo test --workspace

stage "HTTP tests on PostgreSQL"
# Databases left by earlier runs (each test makes its own) are dropped first.
psql "$pg_url" -Atqc "SELECT datname FROM pg_database WHERE datname LIKE 'luodi_test_%'" |
  while read -r db; do psql "$pg_url" -qc "DROP DATABASE IF EXISTS $db" >/dev/null; done
# The test programs the SQLite stage built are run again: `cargo test -p <crate>` would build
# them anew with that crate's own feature set (some ten minutes on two cores).
test_program() {
  cargo test --workspace --no-run --message-format=json 2>/dev/null | python3 -c '
import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == sys.argv[1] \
            and "test" in m["target"]["kind"] and m.get("executable"):
        print(m["executable"])
' "$1"
}
api=$(test_program api)
backup=$(test_program backup)
[[ -x "$api" && -x "$backup" ]] || { echo "test programs api and backup not found" >&2; exit 1; }
(cd crates/server && LUODI_TEST_DATABASE_URL="$pg_url" "$api")
psql "$pg_url" -Atqc "SELECT datname FROM pg_database WHERE datname LIKE 'luodi_backup_%'" |
  while read -r db; do psql "$pg_url" -qc "DROP DATABASE IF EXISTS $db" >/dev/null; done
(cd crates/luodi && LUODI_TEST_DATABASE_URL="$pg_url" "$backup")

stage "release build"
cargo build --release -p luodi
stage "browser tests"
(cd web && npm run e2e)

stage "API fuzzing (schemathesis over docs/openapi.json; fails on any 5xx)"
bash scripts/fuzz-api.sh
