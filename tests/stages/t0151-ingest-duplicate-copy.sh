#!/usr/bin/env bash
# t0151-ingest-duplicate-copy.sh - guards counting an export once: the same
# content under a second name is 'duplicate' with 0 rows and exit 0, whether
# the copy arrives in a later run or in the same run as the original.
. "$(dirname "$0")/lib.sh"
new_fixture
basic_fixture

expect_ingest 0 -q
before=$(snapshot)
cp "$WORK/input/basic.csv" "$WORK/input/basic_copy.csv"
expect_ingest 0 -q
expect_eq "basic_copy.csv (status|read|kept|rejected)" "duplicate|0|0|0" \
	"$(q "SELECT status, rows_read, rows_kept, rows_rejected FROM input_file WHERE name = 'basic_copy.csv';")"
expect_like "basic_copy.csv message names the original" '%basic.csv%' \
	"$(q "SELECT message FROM input_file WHERE name = 'basic_copy.csv';")"
expect_eq "raw_row of basic_copy.csv" "" "$(rows basic_copy.csv)"
copy_id=$(q "SELECT file_id FROM input_file WHERE name = 'basic_copy.csv';")
expect_eq "original unchanged" "$before" "$(snapshot | grep -v "^[a-z_]*|$copy_id|")"
expect_eq "raw_row in total" "3" "$(q 'SELECT count(*) FROM raw_row;')"
expect_reconciled

# Both names in one run on a new database: one ok, one duplicate.
rm -f "$DB" "$DB-wal" "$DB-shm" "$DB-journal"
expect_ingest 0 -q
expect_eq "status count in one run" "duplicate|1
ok|1" "$(q 'SELECT status, count(*) FROM input_file GROUP BY status ORDER BY status;')"
expect_eq "raw_row in total, one run" "3" "$(q 'SELECT count(*) FROM raw_row;')"
expect_reconciled
finish
