#!/usr/bin/env bash
# t0116-ingest-crlf.sh - guards CRLF and mixed line ends: no \r left in any
# value or header name, lines counted once per line end.
. "$(dirname "$0")/lib.sh"
new_fixture
mapping crlf <<'INI'
[source]
name = crlf
district = ASKIM_FROLUNDA_HOGSBO
files = crlf.csv
[dialect]
encoding = windows-1252
delimiter = semicolon
[columns]
identity_number = Personnummer
INI
printf 'Personnummer;Insats;Kommentar\r\n00000000-0001;OPEN;slut\r\n00000000-0002;HVB;mitt\n00000000-0003;LVM;\r\n00000000-0004;INST;sist\r\n' \
	>"$WORK/input/crlf.csv"

expect_ingest 0 -q
expect_stats crlf.csv "ok|5|0|1|0|0|4|4|0"
expect_eq "file_column" "0 Personnummer identity_number 1
1 Insats - 0
2 Kommentar - 0" "$(columns crlf.csv)"
expect_eq "raw_row" "2: |OPEN|slut
3: |HVB|mitt
4: |LVM|
5: |INST|sist" "$(rows crlf.csv)"
expect_eq "values holding \\r" "0" "$(q "SELECT count(*) FROM raw_row WHERE instr(fields, char(13));")"
expect_eq "header names holding \\r" "0" "$(q "SELECT count(*) FROM file_column WHERE instr(name, char(13));")"
expect_reconciled
finish
