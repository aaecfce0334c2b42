#!/usr/bin/env bash
# The run command: builds the front end and the server, loads the demo data set into an
# embedded SQLite file and starts Luodi.
#   LUODI_DATABASE_URL  database (default sqlite://luodi.db)
#   LUODI_BIND          listen address (default 127.0.0.1:8080)
#   LUODI_DEMO_PASSWORD password of every demo account (default Luodi@2026)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v npm >/dev/null 2>&1 || bash scripts/system-deps.sh

echo "== building the front end"
(
  cd web
  [ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error
  npm run build
)
echo "== building the server"
cargo build --release -p luodi

export LUODI_DATABASE_URL="${LUODI_DATABASE_URL:-sqlite://luodi.db}"
bind="${LUODI_BIND:-127.0.0.1:8080}"
password="${LUODI_DEMO_PASSWORD:-Luodi@2026}"
./target/release/luodi demo --password "$password"
echo
echo "请在浏览器打开 http://$bind/ ，用 admin（省级管理员）或 nx_bureau（南县商务局）登录，密码：$password"
exec ./target/release/luodi serve --bind "$bind"
