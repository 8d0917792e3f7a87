#!/usr/bin/env bash
# t0131-ingest-header-only.sh - guards an export with a header and no rows:
# status 'ok' with 0 rows, its columns recorded, exit 0.
. "$(dirname "$0")/lib.sh"
new_fixture
basic_fixture basic_header.csv
head -n 1 "$PL_DATA/basic.csv" >"$WORK/input/basic_header.csv"

expect_ingest 0 -q
expect_stats basic_header.csv "ok|1|0|1|0|0|0|0|0"
expect_eq "file_column" "0 Personnummer identity_number 1
1 Förnamn first_name 1
2 Efternamn last_name 1
3 Postnummer postcode 1
4 Kön sex 0
5 Insats intervention 0
6 Kostnad cost_sek 0" "$(columns basic_header.csv)"
expect_eq "raw_row" "" "$(rows basic_header.csv)"
expect_reconciled
finish
