#!/usr/bin/env bash
# The benchmark (not a test): province-scale data, API p50/p95 against raw SQL on the same
# database, and 100,000-row Excel import/export against LibreOffice's CSV conversion.
#   bash scripts/bench.sh            # SQLite
#   bash scripts/bench.sh postgres   # PostgreSQL (a fresh database luodi_bench)
#   ONLY=dispatch bash scripts/bench.sh     # one part: queries, excel, dispatch, bulletins, matching or fraud (default all)
#   BENCH_DB=/tmp/p.db bash scripts/bench.sh  # SQLite: keep the loaded database in that file and
#                                             # reuse it on the next run (skips generating it)
# Record the printed tables in docs/benchmarks.md with the machine they ran on.
set -euo pipefail
cd "$(dirname "$0")/.."
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
if ! command -v soffice >/dev/null 2>&1; then
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends libreoffice-calc
fi
(cd web && { [ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error; } && npm run build)
cargo build --release -p luodi
work=$(mktemp -d)
if [ "${1:-sqlite}" = postgres ]; then
  admin=$(bash scripts/postgres.sh | tail -n1)
  psql "$admin" -qc "DROP DATABASE IF EXISTS luodi_bench" -qc "CREATE DATABASE luodi_bench"
  url="${admin%/*}/luodi_bench"
else
  url="sqlite://${BENCH_DB:-$work/bench.db}"
fi
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr)"
(cd "$work" && "${CARGO_TARGET_DIR:-$OLDPWD/target}/release/luodi" --database-url "$url" bench --iterations "${ITERATIONS:-200}" --only "${ONLY:-all}")
