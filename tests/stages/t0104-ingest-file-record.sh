#!/usr/bin/env bash
# t0104-ingest-file-record.sh - guards what input_file, file_column, raw_row
# and stage_run record for one plain file: size, mtime, digests, source,
# encoding, counts, columns with their fields, rows by line; -q is silent.
. "$(dirname "$0")/lib.sh"
new_fixture
basic_fixture
f=$WORK/input/basic.csv

expect_ingest 0 -q
expect_eq "-q success: stderr" "" "$(cat "$ERR")"
expect_eq "input_file (size|mtime_ns|sha256|source|mapping_sha256|message|encoding)" \
	"$(stat -c %s "$f")|$(stat -c %.9Y "$f" | tr -d .)|$(sha256sum <"$f" | cut -d' ' -f1)|basic|$(sha256sum <"$WORK/mappings/basic.ini" | cut -d' ' -f1)|NULL|utf-8" \
	"$(q "SELECT size, mtime_ns, sha256, source, mapping_sha256, coalesce(message, 'NULL'), encoding
	        FROM input_file WHERE name = 'basic.csv';")"
expect_stats basic.csv "ok|4|0|1|0|0|3|3|0"
expect_like "ingested_at is UTC ISO 8601" '____-__-__T__:__:__%Z' \
	"$(q "SELECT ingested_at FROM input_file WHERE name = 'basic.csv';")"
expect_eq "file_column" "0 Personnummer identity_number 1
1 Förnamn first_name 1
2 Efternamn last_name 1
3 Postnummer postcode 1
4 Kön sex 0
5 Insats intervention 0
6 Kostnad cost_sek 0" "$(columns basic.csv)"
expect_eq "raw_row (sealed columns empty)" "2: ||||K|Öppenvård|1234,50
3: ||||M|HVB|
4: ||||K|Boendestöd|800,00" "$(rows basic.csv)"
expect_eq "stage_run (stage|exit_code|finished)" "ingest|0|1" \
	"$(q "SELECT stage, exit_code, finished_at IS NOT NULL FROM stage_run;")"
expect_reconciled
finish
