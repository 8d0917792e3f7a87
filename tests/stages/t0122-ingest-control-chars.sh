#!/usr/bin/env bash
# t0122-ingest-control-chars.sh - guards control characters in a value: a NUL
# byte (which must not truncate the line) and U+001F (the raw_row field
# separator, which would shift every later field) reject their row, naming
# the field; the rows around them are kept.
. "$(dirname "$0")/lib.sh"
new_fixture
mapping ctl <<'INI'
[source]
name = ctl
district = LUNDBY
files = ctl.csv
[dialect]
delimiter = semicolon
[columns]
identity_number = Personnummer
INI
{
	printf 'Personnummer;Insats;Kommentar\n'
	printf '00000000-0001;OPEN;ok\n'
	printf '00000000-0002;OPEN;nul\x00here\n'
	printf '00000000-0003;INST;us\x1fhere\n'
	printf '00000000-0004;HVB;fine\n'
} >"$WORK/input/ctl.csv"

expect_ingest 0 -q
expect_stats ctl.csv "ok|5|0|1|0|0|4|2|2"
expect_eq "rejects (line field)" "3 Kommentar
4 Kommentar" "$(reject_lines ctl.csv)"
expect_like "reason at line 3" 'control character 0x00%' "$(reason ctl.csv 3)"
expect_like "reason at line 4" 'control character 0x1F%' "$(reason ctl.csv 4)"
expect_eq "raw_row" "2: |OPEN|ok
5: |HVB|fine" "$(rows ctl.csv)"
expect_reconciled
finish
