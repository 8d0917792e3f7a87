#!/usr/bin/env bash
# t0118-ingest-unterminated-quote.sh - guards a quote never closed: the record
# is rejected at the line where it starts, reading resumes on the next line,
# so the stray quote does not swallow the rest of the file; the reject is
# logged as `... ingest W unterm.csv:3: unterminated quote`.
. "$(dirname "$0")/lib.sh"
new_fixture
mapping unterm <<'INI'
[source]
name = unterm
district = VASTRA_HISINGEN
files = unterm.csv
[dialect]
delimiter = semicolon
[columns]
identity_number = Personnummer
INI
cat >"$WORK/input/unterm.csv" <<'CSV'
Personnummer;Insats;Kommentar
00000000-0001;OPEN;ok
00000000-0002;OPEN;"never closed
00000000-0003;INST;fine
00000000-0004;HVB;also fine
CSV

expect_ingest 0
expect_grep "reject logged as a warning with file:line" \
	'^[^ ]+Z ingest W unterm\.csv:3: unterminated quote' "$(cat "$ERR")"
expect_stats unterm.csv "ok|5|0|1|0|0|4|3|1"
expect_eq "reject lines" "3" \
	"$(q "SELECT group_concat(line, ' ') FROM reject WHERE stage = 'ingest';")"
expect_like "reason at line 3" 'unterminated quote%' "$(reason unterm.csv 3)"
expect_eq "raw_row" "2: |OPEN|ok
4: |INST|fine
5: |HVB|also fine" "$(rows unterm.csv)"
expect_reconciled
finish
