#!/usr/bin/env bash
# Throughput of the everyday pages (not a test): the county demo (`luodi demo`, ~1,500
# projects) in a fresh SQLite file, the release server on loopback, and wrk with 16
# connections against the ledger list and the 三率 endpoints, signed in as a county bureau and
# as the province. Each case runs RUNS times; the median run's figures are printed as a
# Markdown table for docs/benchmarks.md.
#   bash scripts/bench-http.sh                 # builds target/release/luodi
#   bash scripts/bench-http.sh path/to/luodi   # an already built binary
# Environment: PORT (18950), RUNS (3), DURATION (10s), USERS ("nx_bureau hn_bureau").
# On a shared machine, start when `uptime` shows a low load: wrk and the server share the cores.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null 2>&1 || {
  echo "wrk is missing: apt-get install -y wrk" >&2
  exit 1
}
bin=${1:-}
if [ -z "$bin" ]; then
  cargo build --release -p luodi
  bin=target/release/luodi
fi
bin=$(realpath "$bin")
port=${PORT:-18950}
runs=${RUNS:-3}
duration=${DURATION:-10s}
users=${USERS:-nx_bureau hn_bureau}
password='Luodi@2026'
work=$(mktemp -d)
url="sqlite://$work/county.db"
"$bin" --database-url "$url" demo --password "$password" >/dev/null
"$bin" --database-url "$url" serve --bind "127.0.0.1:$port" >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$work"' EXIT
base="http://127.0.0.1:$port"
for _ in $(seq 50); do curl -sf "$base/api/health" >/dev/null && break || sleep 0.1; done

# What the web pages ask for: the ledger's first page and its common filters, the 三率 table
# by region, zone and as at a month's end, and 同比 growth.
paths=(
  "/api/projects?sort=-signed_on&page=1&page_size=20"
  "/api/projects?stage=started&sort=-contract_fen&page=1&page_size=20"
  "/api/projects?origin=out_of_province&sort=-signed_on&page=3&page_size=20"
  "/api/projects?q=%E5%86%9C&sort=-signed_on&page=1&page_size=20"
  "/api/rates?group_by=region"
  "/api/rates?group_by=zone"
  "/api/rates?group_by=region&as_of=2025-12"
  "/api/rates/growth"
  "/api/health"
)
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); wrk -t2 -c16 -d$duration --latency, $runs runs, median"
echo
echo "| 账号 | 请求 | 每秒请求数 | p50 (ms) | p99 (ms) | 响应 (B, gzip) |"
echo "|---|---|---:|---:|---:|---:|"
for user in $users; do
  token=$(curl -sf -H 'content-type: application/json' \
    -d "{\"username\":\"$user\",\"password\":\"$password\"}" "$base/api/auth/login" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')
  for path in "${paths[@]}"; do
    headers=(-H "Authorization: Bearer $token" -H 'Accept-Encoding: gzip, deflate, br')
    size=$(curl -sf -o /dev/null -w '%{size_download}' "${headers[@]}" "$base$path")
    for _ in $(seq "$runs"); do
      wrk -t2 -c16 -d"$duration" --latency "${headers[@]}" "$base$path"
      echo "@@"
    done | python3 -c '
import re, sys
def ms(v):
    m = re.fullmatch(r"([\d.]+)([a-z]+)", v)
    if not m:
        sys.exit("unreadable wrk figure: " + v)
    n, unit = m.groups()
    return float(n) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]
runs = []
for out in sys.stdin.read().split("@@")[:-1]:
    if "Non-2xx" in out or "99%" not in out:
        sys.exit("wrk failed or got errors:" + out)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = ms(re.search(r"50%\s+(\S+)", out).group(1))
    p99 = ms(re.search(r"99%\s+(\S+)", out).group(1))
    runs.append((rps, p50, p99))
rps, p50, p99 = sorted(runs)[len(runs) // 2]
user, path, size = sys.argv[1:]
print(f"| {user} | `{path}` | {rps:,.0f} | {p50:.2f} | {p99:.2f} | {int(size):,} |")
' "$user" "$path" "$size"
  done
done
