#!/usr/bin/env bash
# t0120-ingest-field-count.sh - guards the field count: a record with too few
# and one with too many fields are rejected as whole records (field NULL) with
# `expected N fields, found M`; the others are kept.
. "$(dirname "$0")/lib.sh"
new_fixture
mapping count <<'INI'
[source]
name = count
district = CENTRUM
files = count.csv
[dialect]
delimiter = semicolon
[columns]
identity_number = Personnummer
INI
cat >"$WORK/input/count.csv" <<'CSV'
Personnummer;Insats;Kommentar
00000000-0001;OPEN;ok
00000000-0002;OPEN
00000000-0003;INST;x;extra
00000000-0004;HVB;fine
CSV

expect_ingest 0 -q
expect_stats count.csv "ok|5|0|1|0|0|4|2|2"
expect_eq "rejects (line field)" "3 -
4 -" "$(reject_lines count.csv)"
expect_like "reason at line 3" 'expected 3 fields, found 2%' "$(reason count.csv 3)"
expect_like "reason at line 4" 'expected 3 fields, found 4%' "$(reason count.csv 4)"
expect_eq "raw_row" "2: |OPEN|ok
5: |HVB|fine" "$(rows count.csv)"
expect_reconciled
finish
