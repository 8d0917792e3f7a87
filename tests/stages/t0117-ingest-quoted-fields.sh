#!/usr/bin/env bash
# t0117-ingest-quoted-fields.sh - guards quoted fields: a delimiter, doubled
# quotes, a line break and an empty quoted field give exact values; a
# multi-line record keeps its start line and the next record its own line;
# with quote = single the same holds for ' and a " is an ordinary character.
. "$(dirname "$0")/lib.sh"
new_fixture
mapping quoted <<'INI'
[source]
name = quoted
district = VASTRA_GBG
files = quoted.csv
[dialect]
delimiter = comma
quote = double
[columns]
identity_number = Personnummer
INI
cat >"$WORK/input/quoted.csv" <<'CSV'
Personnummer,Insats,Kostnad,Kommentar
00000000-0001,OPEN,"1234,50","a, b"
00000000-0002,OPEN,0,"säg ""hej"""
00000000-0003,INST,0,"två
rader"
00000000-0004,HOUSE,"",sist
CSV
mapping single <<'INI'
[source]
name = single
district = VASTRA_GBG
files = single.csv
[dialect]
delimiter = semicolon
quote = single
[columns]
identity_number = Personnummer
INI
cat >"$WORK/input/single.csv" <<'CSV'
Personnummer;Insats;Kommentar
00000000-0011;OPEN;'a; ''b'''
00000000-0012;OPEN;"c"
00000000-0013;INST;'två
rader'
00000000-0014;HOUSE;sist
CSV

expect_ingest 0 -q
expect_stats quoted.csv "ok|6|0|1|0|0|4|4|0"
expect_eq "quoted.csv raw_row" '2: |OPEN|1234,50|a, b
3: |OPEN|0|säg "hej"
4: |INST|0|två
rader
6: |HOUSE||sist' "$(rows quoted.csv)"
expect_eq "quoted.csv record lines" "2 3 4 6" \
	"$(q "SELECT group_concat(line, ' ') FROM (SELECT line FROM raw_row
	       WHERE file_id = $(fid quoted.csv) ORDER BY line);")"
expect_stats single.csv "ok|6|0|1|0|0|4|4|0"
expect_eq "single.csv raw_row" "2: |OPEN|a; 'b'
3: |OPEN|\"c\"
4: |INST|två
rader
6: |HOUSE|sist" "$(rows single.csv)"
expect_reconciled
finish
