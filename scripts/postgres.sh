#!/usr/bin/env bash
# Installs (if needed) and starts a local PostgreSQL cluster without systemd, and creates the
# role used by the tests. Prints the admin URL for LUODI_TEST_DATABASE_URL on its last line.
set -euo pipefail

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  echo "== installing PostgreSQL" >&2
  as_root apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq postgresql >&2
fi
version=$(ls /usr/lib/postgresql | sort -V | tail -n1)
if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -qx "$version main"; then
  as_root pg_createcluster "$version" main >&2
fi
if ! pg_lsclusters -h | awk '$1=="'"$version"'" && $2=="main" {print $4}' | grep -qx online; then
  as_root pg_ctlcluster "$version" main start >&2
fi
port=$(pg_lsclusters -h | awk '$1=="'"$version"'" && $2=="main" {print $3}')
for _ in $(seq 1 30); do
  if (cd / && as_root su postgres -c "psql -p $port -Atqc 'select 1'") >/dev/null 2>&1; then break; fi
  sleep 0.5
done
(cd / && as_root su postgres -c "psql -p $port -v ON_ERROR_STOP=1 -qc \"DO \\\$\\\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'luodi') THEN
    CREATE ROLE luodi LOGIN CREATEDB PASSWORD 'luodi';
  END IF; END \\\$\\\$;\"") >&2
(cd / && as_root su postgres -c "psql -p $port -Atqc \"SELECT 1 FROM pg_database WHERE datname = 'luodi'\"" | grep -q 1) \
  || (cd / && as_root su postgres -c "createdb -p $port -O luodi luodi") >&2
echo "postgres://luodi:luodi@127.0.0.1:$port/luodi"
