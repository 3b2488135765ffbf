#!/usr/bin/env bash
# Starts a PostgreSQL server of our own (Debian's packages, a cluster named "assent" on a local port)
# with a fresh database, and prints the DATABASE_URL for the tests. initdb refuses to run as root,
# so the cluster is made with pg_createcluster and runs as the postgres user.
set -euo pipefail
port=${ASSENT_PG_PORT:-54329}
if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
fi
version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -qx "$version assent"; then
  pg_createcluster -p "$port" "$version" assent >&2
fi
pg_ctlcluster "$version" assent start >&2 2>/dev/null || pg_ctlcluster "$version" assent status >/dev/null
port=$(pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="assent" {print $3}')
su postgres -c "psql -q -p $port -c \"ALTER USER postgres PASSWORD 'assent'\"" >&2
su postgres -c "dropdb -p $port --if-exists assent_test && createdb -p $port assent_test" >&2
echo "postgres://postgres:assent@127.0.0.1:$port/assent_test"
