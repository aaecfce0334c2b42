#!/usr/bin/env bash
# API fuzzing: schemathesis generates requests from docs/openapi.json (valid and invalid
# bodies, paths and queries, ids beyond 64 bits, stateful sequences) and sends them to the
# release binary on a fresh SQLite database with the demo accounts, signed in as a county
# bureau (nx_bureau) and as an administrator (admin). Every check runs but one: a 5xx, a
# status the document does not list, an answer off its schema, a schema-violating request
# accepted, a missing header... any failure fails the run. The check left out,
# positive_data_acceptance, expects every schema-valid request to succeed, which business
# rules the document cannot state (an uploaded file that is not a workbook, cross-field rules)
# forbid: docs/security.md lists them. Sign-out and password changes are left out, so that
# the sessions live through the run.
#   LUODI_BIN              the binary (default target/release/luodi)
#   LUODI_FUZZ_SPEC        the OpenAPI document (default docs/openapi.json)
#   LUODI_FUZZ_PORT        port of the server (default 18690)
#   LUODI_FUZZ_EXAMPLES    test cases per operation and phase (default 15)
#   LUODI_FUZZ_CHECKS      schemathesis checks (default all)
#   LUODI_FUZZ_EXCLUDE     checks left out (default positive_data_acceptance; "" for none)
#   LUODI_FUZZ_SEED        a seed, to repeat a run
set -euo pipefail
cd "$(dirname "$0")/.."

bin="${LUODI_BIN:-${CARGO_TARGET_DIR:-target}/release/luodi}"
port="${LUODI_FUZZ_PORT:-18690}"
examples="${LUODI_FUZZ_EXAMPLES:-15}"
spec="${LUODI_FUZZ_SPEC:-docs/openapi.json}"
checks="${LUODI_FUZZ_CHECKS:-all}"
exclude="${LUODI_FUZZ_EXCLUDE-positive_data_acceptance}"
venv="${CARGO_TARGET_DIR:-target}/schemathesis-venv"
base="http://127.0.0.1:$port"

[[ -x "$bin" ]] || { echo "fuzz-api.sh: $bin not found: cargo build --release -p luodi" >&2; exit 1; }

if [[ ! -x "$venv/bin/schemathesis" ]]; then
  if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
    as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends python3-venv
  fi
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check 'schemathesis>=4,<5'
fi

dir=$(mktemp -d)
server=""
cleanup() {
  [[ -n "$server" ]] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT
export LUODI_DATABASE_URL="sqlite://$dir/fuzz.db"
export LUODI_SERVER__FILES_DIR="$dir/files"
export LUODI_LOG="${LUODI_LOG:-warn}"
"$bin" demo --scale base --password 'Luodi@2026' >/dev/null
"$bin" serve --bind "127.0.0.1:$port" >"$dir/server.log" 2>&1 &
server=$!
for _ in $(seq 100); do
  curl -sf "$base/api/health" >/dev/null && break
  kill -0 "$server" 2>/dev/null || { cat "$dir/server.log" >&2; exit 1; }
  sleep 0.1
done

token() {
  curl -sf -X POST "$base/api/auth/login" -H 'content-type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"Luodi@2026\"}" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])'
}

status=0
# The county first: the administrator's run may deactivate or move the county's account.
for account in nx_bureau admin; do
  echo "== schemathesis as $account ($examples examples per operation, checks: $checks${exclude:+ but $exclude})"
  args=(run "$spec" --url "$base"
    --header "Authorization: Bearer $(token "$account")"
    --exclude-path /api/auth/logout --exclude-path /api/auth/password
    --exclude-path-regex '^/api/users/\{id\}/password$'
    --checks "$checks" --max-examples "$examples" --workers 2 --no-shrink
    --request-timeout 30 --warnings off)
  [[ -n "$exclude" ]] && args+=(--exclude-checks "$exclude")
  [[ -n "${LUODI_FUZZ_SEED:-}" ]] && args+=(--seed "$LUODI_FUZZ_SEED")
  "$venv/bin/schemathesis" "${args[@]}" >"$dir/$account.log" 2>&1 || true
  sed -n '/SUMMARY/,$p' "$dir/$account.log"
  # A failed check fails the stage; a runtime error of the generator alone (seen once in a
  # few runs, not reproducible) is shown but does not, as long as the server stays up.
  if grep -q '^=* FAILURES =*$' "$dir/$account.log"; then
    sed -n '/FAILURES/,/SUMMARY/p' "$dir/$account.log" | head -200
    status=1
    break
  fi
  sed -n '/^=* ERRORS =*$/,/SUMMARY/p' "$dir/$account.log" | head -60
done
curl -sf "$base/api/health" >/dev/null || { echo "the server stopped answering" >&2; status=1; }
if grep -q 'panicked' "$dir/server.log"; then
  echo "the server panicked:" >&2
  grep -A5 'panicked' "$dir/server.log" >&2
  status=1
fi
exit $status
