#!/usr/bin/env bash
# t0115-ingest-footer-blank.sh - guards footer and blank-line counting: total
# lines matched by the case-insensitive footer ERE (a full-width `SUMMA;;…`
# and a one-field `Totalt antal: 3`) are footer_rows, not data and not
# field-count rejects; a blank line between records is a blank line.
. "$(dirname "$0")/lib.sh"
new_fixture
mapping hisingen <<'INI'
[source]
name = hisingen
district = NORRA_HISINGEN
files = hisingen.csv
[dialect]
delimiter = semicolon
footer = ^(summa|totalt)
[columns]
identity_number = Personnummer
INI
cat >"$WORK/input/hisingen.csv" <<'CSV'
Personnummer;Insats;Kostnad
00000000-0001;Öppenvård;100,00

00000000-0002;HVB;2500,50
00000000-0003;Boendestöd;900,00
SUMMA;;3500,50
Totalt antal: 3
CSV

expect_ingest 0 -q
expect_stats hisingen.csv "ok|7|0|1|2|1|3|3|0"
expect_eq "raw_row" "2: |Öppenvård|100,00
4: |HVB|2500,50
5: |Boendestöd|900,00" "$(rows hisingen.csv)"
expect_eq "no rejects" "0" "$(q 'SELECT count(*) FROM reject;')"
expect_reconciled
finish
