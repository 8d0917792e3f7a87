#!/usr/bin/env bash
# t0123-ingest-field-too-long.sh - guards max_field_bytes: a field of exactly
# the limit is kept, one byte more rejects the row naming the field.
. "$(dirname "$0")/lib.sh"
new_fixture
mapping long <<'INI'
[source]
name = long
district = CENTRUM
files = long.csv
[dialect]
delimiter = semicolon
max_field_bytes = 16
[columns]
identity_number = Personnummer
INI
cat >"$WORK/input/long.csv" <<'CSV'
Personnummer;Insats;Kommentar
00000000-0001;OPEN;abcdefghijklmnop
00000000-0002;OPEN;abcdefghijklmnopq
00000000-0003;HVB;fine
CSV

expect_ingest 0 -q
expect_stats long.csv "ok|4|0|1|0|0|3|2|1"
expect_eq "rejects (line field)" "3 Kommentar" "$(reject_lines long.csv)"
expect_like "reason at line 3" 'field longer than 16 bytes%' "$(reason long.csv 3)"
expect_eq "raw_row" "2: |OPEN|abcdefghijklmnop
4: |HVB|fine" "$(rows long.csv)"
expect_reconciled
finish
