#!/usr/bin/env bash
# t0150-ingest-rerun-idempotent.sh - guards the nightly rerun: a second run on
# the same files changes nothing (input_file incl. ingested_at, columns, rows,
# sealed blobs, rejects); a file only touched (same content) is not re-read.
. "$(dirname "$0")/lib.sh"
new_fixture
basic_fixture
printf '00000000-0009;Avvisa;Radsson;999 99;K\n' >>"$WORK/input/basic.csv"

expect_ingest 0 -q
expect_stats basic.csv "ok|5|0|1|0|0|4|3|1"
before=$(snapshot)
expect_like "snapshot holds the file" '%input_file|%|basic.csv|%' "$before"

sleep 1.1
expect_ingest 0 -q
expect_eq "-q rerun: stderr" "" "$(cat "$ERR")"
expect_eq "database after a second run" "$before" "$(snapshot)"

touch -d '+1 hour' "$WORK/input/basic.csv"
expect_ingest 0
# Regression: a touched file was parsed again, logging its rejects anew in
# every nightly log before the same content was found and rolled back.
expect_eq "touched file: no reject warnings logged again" "" "$(grep ' W ' "$ERR")"
expect_grep "touched file: counted unchanged" ' 1 files: 0 ingested, 1 unchanged' "$(cat "$ERR")"
expect_eq "raw_row and reject after touching the file (same content)" \
	"$(printf '%s\n' "$before" | grep -E '^(file_column|raw_row|reject)\|')" \
	"$(snapshot | grep -E '^(file_column|raw_row|reject)\|')"
expect_stats basic.csv "ok|5|0|1|0|0|4|3|1"
expect_eq "files" "basic.csv" "$(names)"
expect_reconciled
finish
