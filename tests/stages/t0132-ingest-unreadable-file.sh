#!/usr/bin/env bash
# t0132-ingest-unreadable-file.sh - guards file-level failures other than a
# missing column: a header_line beyond the end of the file and a UTF-16 file
# (BOM FF FE) declared utf-8 are 'failed' with a message and no rows, exit 65;
# a good file in the same run is ingested.
. "$(dirname "$0")/lib.sh"
new_fixture
basic_fixture
mapping deep <<'INI'
[source]
name = deep
district = CENTRUM
files = deep.csv
[dialect]
delimiter = semicolon
header_line = 5
[columns]
identity_number = Personnummer
INI
mapping u16 <<'INI'
[source]
name = u16
district = CENTRUM
files = u16.csv
[dialect]
encoding = utf-8
delimiter = semicolon
[columns]
identity_number = Personnummer
INI
printf 'Rapport\nPersonnummer;Insats\n00000000-0001;OPEN\n' >"$WORK/input/deep.csv"
printf 'Personnummer;Insats\n00000000-0001;OPEN\n' | iconv -f UTF-8 -t UTF-16LE |
	{ printf '\xff\xfe'; cat; } >"$WORK/input/u16.csv"

expect_ingest 65 -q
for f in deep.csv u16.csv; do
	expect_eq "$f (status|message given|read|kept|rejected)" "failed|1|0|0|0" \
		"$(q "SELECT status, coalesce(message, '') != '', rows_read, rows_kept, rows_rejected
		        FROM input_file WHERE name = '$f';")"
	expect_eq "$f: raw_row" "" "$(rows "$f")"
	expect_eq "$f: rejects" "" "$(reject_lines "$f")"
	expect_like "$f: failure logged with the file name" "%$f%" "$(cat "$ERR")"
done
expect_stats basic.csv "ok|4|0|1|0|0|3|3|0"
expect_reconciled
finish
