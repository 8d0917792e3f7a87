#!/usr/bin/env bash
# t0111-ingest-iso-8859-1.sh - guards iso-8859-1 decoding of a comma-delimited
# file: Ö ö å Å é Ä stored as UTF-8 in header and values.
. "$(dirname "$0")/lib.sh"
new_fixture
mapping latin1 <<'INI'
[source]
name = latin1
district = ANGERED
files = angered*.csv
[dialect]
encoding = iso-8859-1
delimiter = comma
[columns]
identity_number = Personnummer
sex = Kön
INI
{
	printf 'Personnummer,K\xf6n,Insats,Ort\n'
	printf '00000000-0001,Kvinna,\xd6ppenv\xe5rd,\xc5m\xe5l\n'
	printf '00000000-0002,Man,Kontaktperson,G\xf6teborg \xe9\xc4\n'
} >"$WORK/input/angered.csv"

expect_ingest 0 -q
expect_stats angered.csv "ok|3|0|1|0|0|2|2|0"
expect_eq "encoding recorded" "iso-8859-1" "$(q "SELECT encoding FROM input_file WHERE name = 'angered.csv';")"
expect_eq "file_column" "0 Personnummer identity_number 1
1 Kön sex 0
2 Insats - 0
3 Ort - 0" "$(columns angered.csv)"
expect_eq "raw_row" "2: |Kvinna|Öppenvård|Åmål
3: |Man|Kontaktperson|Göteborg éÄ" "$(rows angered.csv)"
expect_reconciled
finish
