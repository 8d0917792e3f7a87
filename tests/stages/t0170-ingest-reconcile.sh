#!/usr/bin/env bash
# t0170-ingest-reconcile.sh - guards the row accounting on a file mixing every
# kind of line: title, header, kept rows, a multi-line record, blank line,
# footer and one reject of each ingest cause; rows_read = kept + rejected,
# raw_row and reject hold exactly those lines.
. "$(dirname "$0")/lib.sh"
new_fixture
mapping mixed <<'INI'
[source]
name = mixed
district = LUNDBY
files = mixed.csv
[dialect]
delimiter = semicolon
header_line = 2
footer = ^Summa
[columns]
identity_number = Personnummer
INI
{
	printf 'Rapport Lundby\n'                         #  1 title
	printf 'Personnummer;Insats;Kommentar\n'          #  2 header
	printf '00000000-0001;OPEN;a\n'                   #  3 kept
	printf '00000000-0002;OPEN\n'                     #  4 field count
	printf '\n'                                       #  5 blank
	printf '00000000-0003;OPEN;b"c\n'                 #  6 malformed quote
	printf '00000000-0004;HVB;\xff\n'                 #  7 invalid byte
	printf '00000000-0005;HVB;nul\x00\n'              #  8 control character
	printf '00000000-0006;INST;"multi\nline"\n'       #  9-10 kept
	printf '00000000-0007;LVM;"never closed\n'        # 11 unterminated quote
	printf '00000000-0008;LVM;last\n'                 # 12 kept
	printf 'Summa;;6\n'                               # 13 footer
} >"$WORK/input/mixed.csv"

expect_ingest 0 -q
expect_stats mixed.csv "ok|13|1|1|1|1|8|3|5"
expect_eq "raw_row lines" "3 9 12" \
	"$(q "SELECT group_concat(line, ' ') FROM (SELECT line FROM raw_row ORDER BY line);")"
expect_eq "reject lines" "4 6 7 8 11" \
	"$(q "SELECT group_concat(line, ' ') FROM (SELECT line FROM reject WHERE stage = 'ingest' ORDER BY line);")"
expect_like "reason at 4" 'expected 3 fields, found 2%' "$(reason mixed.csv 4)"
expect_like "reason at 6" 'malformed quote%' "$(reason mixed.csv 6)"
expect_like "reason at 7" 'invalid byte 0xFF for encoding utf-8%' "$(reason mixed.csv 7)"
expect_like "reason at 8" 'control character 0x00%' "$(reason mixed.csv 8)"
expect_like "reason at 11" 'unterminated quote%' "$(reason mixed.csv 11)"
expect_eq "line 9 value" "9: |INST|multi
line" "$(rows mixed.csv | sed -n '2,3p')"
expect_reconciled
finish
