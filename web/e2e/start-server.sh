#!/usr/bin/env bash
# Starts the release binary on a fresh SQLite database with the demo data, for Playwright.
#
# By default the pages come from the binary itself (the web/dist embedded when it was
# compiled), which is what ships. With LUODI_E2E_VITE=1 the current web/dist is served by
# `vite preview` instead, proxying /api to the binary: front-end changes can then be tested
# without recompiling the Rust (run `npm run build` first).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# LUODI_BIN names the binary; otherwise the release build under CARGO_TARGET_DIR (when cargo
# is told to build elsewhere) or the workspace's target/.
bin="${LUODI_BIN:-${CARGO_TARGET_DIR:-$here/../../target}/release/luodi}"
port="${LUODI_E2E_PORT:-18080}"

if [[ ! -x "$bin" ]]; then
  echo "start-server.sh: $bin not found; build it with: cargo build --release -p luodi" >&2
  exit 1
fi

# A fresh database each run, kept under the git-ignored test-results/ so a failed run can be
# inspected and the next run replaces it.
dir="$here/../test-results/e2e-server"
rm -rf "$dir"
mkdir -p "$dir"
export LUODI_DATABASE_URL="sqlite://$dir/e2e.db"
# Evidence uploads land beside the database, not in the working directory.
export LUODI_SERVER__FILES_DIR="$dir/files"

"$bin" demo --scale base --password 'Luodi@2026'

if [[ "${LUODI_E2E_VITE:-}" == "1" ]]; then
  api_port=$((port + 1))
  "$bin" serve --bind "127.0.0.1:$api_port" &
  api_pid=$!
  for _ in $(seq 50); do
    kill -0 "$api_pid" 2>/dev/null || { echo "start-server.sh: luodi serve exited (port $api_port busy?)" >&2; exit 1; }
    curl -sf "http://127.0.0.1:$api_port/api/health" >/dev/null && break
    sleep 0.2
  done
  cd "$here/.."
  LUODI_API="http://127.0.0.1:$api_port" exec node_modules/.bin/vite preview --host 127.0.0.1 --port "$port" --strictPort
fi
exec "$bin" serve --bind "127.0.0.1:$port"
