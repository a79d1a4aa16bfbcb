#!/bin/sh
# Creates Temporal's two PostgreSQL databases and brings their schemas to the version the server
# expects. Safe to run on every start: existing databases are kept and update-schema applies only
# the missing versions. Two callers, one procedure:
#   docker-compose.yml  the temporal-schema one-shot job (temporalio/admin-tools image: the tool and
#                       the schema files are where the defaults below say)
#   npm run cluster     scripts/cluster/ with TEMPORAL_SQL_TOOL and SCHEMA_ROOT from the server it built
set -eu

: "${POSTGRES_SEEDS:=postgresql}"
: "${DB_PORT:=5432}"
: "${POSTGRES_USER:=temporal}"
: "${SQL_PASSWORD:?SQL_PASSWORD must be set to the PostgreSQL password}"
export SQL_PASSWORD
: "${TEMPORAL_SQL_TOOL:=temporal-sql-tool}"
: "${SCHEMA_ROOT:=/etc/temporal/schema/postgresql/v12}"

i=0
# Where nc is missing (a host rather than the image), the caller has waited for PostgreSQL already.
until ! command -v nc >/dev/null 2>&1 || nc -z "$POSTGRES_SEEDS" "$DB_PORT"; do
  i=$((i + 1))
  [ "$i" -ge 60 ] && { echo "PostgreSQL at $POSTGRES_SEEDS:$DB_PORT did not come up" >&2; exit 1; }
  sleep 1
done

sql() {
  "$TEMPORAL_SQL_TOOL" --plugin postgres12 --endpoint "$POSTGRES_SEEDS" --port "$DB_PORT" --user "$POSTGRES_USER" "$@"
}

for pair in temporal:temporal temporal_visibility:visibility; do
  db=${pair%%:*}
  dir=${pair##*:}
  echo "== $db"
  # create-database fails when the database exists; the schema steps below fail if it truly is missing.
  sql --database "$db" create-database || echo "$db: already exists"
  sql --database "$db" setup-schema --version 0.0
  sql --database "$db" update-schema --schema-dir "$SCHEMA_ROOT/$dir/versioned"
done
echo "Temporal schemas are up to date"
