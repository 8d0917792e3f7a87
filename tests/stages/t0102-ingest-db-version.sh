#!/usr/bin/env bash
# t0102-ingest-db-version.sh - guards the database contract: a new database
# gets the tables and PRAGMA user_version of pipeline/schema.sql; a database
# of another version is refused with exit 78 and left as it was.
. "$(dirname "$0")/lib.sh"
new_fixture
basic_fixture

version=$(sed -n 's/^PRAGMA user_version *= *\([0-9][0-9]*\);.*/\1/p' "$PL_ROOT/pipeline/schema.sql")
expect_like "schema.sql declares a user_version" '_%' "$version"

expect_ingest 0 -q
expect_eq "new database user_version" "$version" "$(q 'PRAGMA user_version;')"
# every table and view schema.sql creates, and nothing else (not those an
# "-- @upgrade N" section makes in passing: it never runs on a new database)
expected_tables=$(awk '/^-- @upgrade /{up = 1} /^-- @since /{up = 0}
	!up && /^CREATE (TABLE|VIEW) / {sub(/[^a-z_0-9].*/, "", $3); print $3}' \
	"$PL_ROOT/pipeline/schema.sql" | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//')
expect_like "schema.sql creates tables" '%input_file%raw_row%reject%' "$expected_tables"
expect_eq "new database tables" "$expected_tables" \
	"$(q "SELECT group_concat(name, ' ') FROM (SELECT name FROM sqlite_master
	       WHERE type IN ('table', 'view') ORDER BY name);")"

q 'PRAGMA user_version = 999;'
cp "$PL_DATA/basic.csv" "$WORK/input/basic_more.csv"
printf '00000000-0004;Nyfiktiv;Nyssonsson;999 94;M;LVM;\n' >>"$WORK/input/basic_more.csv"
expect_ingest 78
expect_like "version mismatch reported" '%version%' "$(cat "$ERR")"
expect_eq "refused database keeps its version" "999" "$(q 'PRAGMA user_version;')"
expect_eq "refused database gets no new file" "basic.csv" \
	"$(names)"
finish
