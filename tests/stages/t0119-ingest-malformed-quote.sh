#!/usr/bin/env bash
# t0119-ingest-malformed-quote.sh - guards strict quoting: a quote inside an
# unquoted field and text after a closing quote each reject their record at
# its line; the records around them are kept.
. "$(dirname "$0")/lib.sh"
new_fixture
mapping malq <<'INI'
[source]
name = malq
district = ORGRYTE_HARLANDA
files = malq.csv
[dialect]
delimiter = semicolon
[columns]
identity_number = Personnummer
INI
cat >"$WORK/input/malq.csv" <<'CSV'
Personnummer;Insats;Kommentar
00000000-0001;OPEN;ok
00000000-0002;OPEN;ab"c
00000000-0003;INST;"abc"x
00000000-0004;HVB;fine
CSV

expect_ingest 0 -q
expect_stats malq.csv "ok|5|0|1|0|0|4|2|2"
expect_eq "reject lines" "3 4" \
	"$(q "SELECT group_concat(line, ' ') FROM (SELECT line FROM reject WHERE stage = 'ingest' ORDER BY line);")"
expect_like "reason at line 3 (quote in unquoted field)" 'malformed quote%' "$(reason malq.csv 3)"
expect_like "reason at line 4 (text after closing quote)" 'malformed quote%' "$(reason malq.csv 4)"
expect_eq "raw_row" "2: |OPEN|ok
5: |HVB|fine" "$(rows malq.csv)"
expect_reconciled
finish
