#!/usr/bin/env bash
# t0130-ingest-empty-file.sh - guards an empty (0-byte) export: status
# 'failed' with message 'empty file', exit 65, nothing stored for it; the other
# file of the run is still ingested.
. "$(dirname "$0")/lib.sh"
new_fixture
basic_fixture
: >"$WORK/input/basic_empty.csv"

expect_ingest 65 -q
expect_stats basic_empty.csv "failed|0|0|0|0|0|0|0|0"
expect_like "message" 'empty file%' "$(q "SELECT message FROM input_file WHERE name = 'basic_empty.csv';")"
expect_eq "file_column of the empty file" "" "$(columns basic_empty.csv)"
expect_like "failure logged with the file name" '%basic_empty.csv%' "$(cat "$ERR")"
expect_stats basic.csv "ok|4|0|1|0|0|3|3|0"
expect_reconciled
finish
