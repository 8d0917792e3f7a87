#!/usr/bin/env bash
# t0110-ingest-windows-1252.sh - guards windows-1252 decoding: header and
# values stored as UTF-8 (ö, Ö, å, ä, € from 0x80, – from 0x96), a decoded
# header name matching the UTF-8 mapping (Kön -> sex), decimal comma and NBSP
# (0xA0 -> U+00A0) kept verbatim.
. "$(dirname "$0")/lib.sh"
new_fixture
mapping cp <<'INI'
[source]
name = cp
district = MAJORNA_LINNE
files = majorna*.csv
[dialect]
encoding = windows-1252
delimiter = semicolon
[columns]
identity_number = Personnummer
sex = Kön
intervention = Insats
cost_sek = Kostnad
INI
{
	printf 'Personnummer;K\xf6n;Insats;Kostnad;Kommentar\n'
	printf '00000000-0001;Kvinna;\xd6ppenv\xe5rd;12\xa0345,50;\x80 och \x96 tecken\n'
	printf '00000000-0002;Man;Boendest\xf6d;800,00;Gr\xe4s\xf6\n'
} >"$WORK/input/majorna.csv"

expect_ingest 0 -q
expect_stats majorna.csv "ok|3|0|1|0|0|2|2|0"
expect_eq "encoding recorded" "windows-1252" "$(q "SELECT encoding FROM input_file WHERE name = 'majorna.csv';")"
expect_eq "file_column" "0 Personnummer identity_number 1
1 Kön sex 0
2 Insats intervention 0
3 Kostnad cost_sek 0
4 Kommentar - 0" "$(columns majorna.csv)"
expect_eq "line 2 fields as UTF-8 bytes (hex)" \
	"$(hexof '\x1fKvinna\x1f\xc3\x96ppenv\xc3\xa5rd\x1f12\xc2\xa0345,50\x1f\xe2\x82\xac och \xe2\x80\x93 tecken')" \
	"$(q "SELECT hex(fields) FROM raw_row WHERE file_id = $(fid majorna.csv) AND line = 2;")"
expect_eq "line 3 fields" "3: |Man|Boendestöd|800,00|Gräsö" "$(rows majorna.csv | sed -n 2p)"
expect_reconciled
finish
