#!/usr/bin/env bash
# t0121-ingest-invalid-bytes.sh - guards bytes invalid in the declared
# encoding (0xFF, 0xFE in utf-8; 0x81 in windows-1252): the row is rejected
# naming the field, never the file; the rest of the file is kept; an invalid
# value in a sealed column does not reach the database.
. "$(dirname "$0")/lib.sh"
new_fixture
for enc in utf-8 windows-1252; do
	mapping "bad_${enc//-/_}" <<INI
[source]
name = bad_${enc//-/_}
district = OSTRA
files = bad-$enc.csv
[dialect]
encoding = $enc
delimiter = semicolon
[columns]
identity_number = Personnummer
INI
done
{
	printf 'Personnummer;Insats;Kommentar\n'
	printf '00000000-0001;OPEN;\xc3\xb6k\n'
	printf '00000000-0002;\xffOPEN;bad\n'
	printf 'SECRETPNR\xfe77;OPEN;bad in sealed column\n'
	printf '00000000-0004;HVB;fine\n'
} >"$WORK/input/bad-utf-8.csv"
{
	printf 'Personnummer;Insats;Kommentar\n'
	printf '00000000-0011;OPEN;\xf6k\n'
	printf '00000000-0012;\x81OPEN;bad\n'
	printf '00000000-0013;HVB;fine\n'
} >"$WORK/input/bad-windows-1252.csv"

expect_ingest 0 -q
expect_stats bad-utf-8.csv "ok|5|0|1|0|0|4|2|2"
expect_eq "bad-utf-8.csv rejects (line field)" "3 Insats
4 Personnummer" "$(reject_lines bad-utf-8.csv)"
expect_like "bad-utf-8.csv reason at line 3" 'invalid byte 0xFF for encoding utf-8%' "$(reason bad-utf-8.csv 3)"
expect_like "bad-utf-8.csv reason at line 4" 'invalid byte 0xFE for encoding utf-8%' "$(reason bad-utf-8.csv 4)"
expect_eq "bad-utf-8.csv raw_row" "2: |OPEN|ök
5: |HVB|fine" "$(rows bad-utf-8.csv)"

expect_stats bad-windows-1252.csv "ok|4|0|1|0|0|3|2|1"
expect_eq "bad-windows-1252.csv rejects (line field)" "3 Insats" "$(reject_lines bad-windows-1252.csv)"
expect_like "bad-windows-1252.csv reason at line 3" 'invalid byte 0x81 for encoding windows-1252%' \
	"$(reason bad-windows-1252.csv 3)"
expect_eq "bad-windows-1252.csv raw_row" "2: |OPEN|ök
4: |HVB|fine" "$(rows bad-windows-1252.csv)"

expect_eq "sealed value in input" "1" "$(grep -a -c SECRETPNR "$WORK/input/bad-utf-8.csv")"
for f in "$DB" "$DB-wal" "$DB-journal"; do
	[ -e "$f" ] || continue
	expect_eq "rejected sealed value in $(basename "$f")" "0" "$(grep -a -c SECRETPNR "$f")"
done
expect_reconciled
finish
