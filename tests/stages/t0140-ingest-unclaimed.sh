#!/usr/bin/env bash
# t0140-ingest-unclaimed.sh - guards file claiming: a comma-separated glob list
# matched case-insensitively claims files; a file no source claims is
# 'unclaimed' (exit 65, nothing read); dot files and directories are ignored.
. "$(dirname "$0")/lib.sh"
new_fixture
mapping lundby <<'INI'
[source]
name = lundby
district = LUNDBY
files = *.csv, lb-*.txt
[dialect]
delimiter = semicolon
[columns]
identity_number = Personnummer
INI
printf 'Personnummer;Insats\n00000000-0001;OPEN\n' >"$WORK/input/lundby.csv"
printf 'Personnummer;Insats\n00000000-0002;HVB\n' >"$WORK/input/LUNDBY_2027.CSV"
printf 'Personnummer;Insats\n00000000-0003;LVM\n' >"$WORK/input/lb-1.txt"
printf 'Personnummer;Insats\n00000000-0004;INST\n' >"$WORK/input/notes.txt"
printf 'Personnummer;Insats\n00000000-0005;CONT\n' >"$WORK/input/.hidden.csv"
mkdir "$WORK/input/sub.csv"

expect_ingest 65 -q
expect_eq "input_file names" "LUNDBY_2027.CSV lb-1.txt lundby.csv notes.txt" "$(names)"
expect_eq "notes.txt (status|source|sha256|read)" "unclaimed|NULL|NULL|0" \
	"$(q "SELECT status, coalesce(source, 'NULL'), coalesce(sha256, 'NULL'), rows_read
	        FROM input_file WHERE name = 'notes.txt';")"
expect_like "notes.txt reported" '%notes.txt%' "$(cat "$ERR")"
expect_stats lundby.csv "ok|2|0|1|0|0|1|1|0"
expect_stats LUNDBY_2027.CSV "ok|2|0|1|0|0|1|1|0"
expect_stats lb-1.txt "ok|2|0|1|0|0|1|1|0"
expect_eq "claimed files' source" "lundby lundby lundby" \
	"$(q "SELECT group_concat(source, ' ') FROM input_file WHERE status = 'ok';")"
expect_eq "raw_row of notes.txt" "" "$(rows notes.txt)"
expect_reconciled
finish
