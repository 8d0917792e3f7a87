#!/usr/bin/env bash
# t0114-ingest-title-two-row-header.sh - guards header_line/header_lines: a
# two-line title block (one with a stray quote, counted, never parsed) and a
# two-row header whose names are joined, an empty upper cell taking the value
# to its left (Excel merged cells); data lines keep their physical numbers.
. "$(dirname "$0")/lib.sh"
new_fixture
mapping lundby <<'INI'
[source]
name = lundby
district = LUNDBY
files = lundby.csv
[dialect]
delimiter = semicolon
header_line = 3
header_lines = 2
[columns]
identity_number = Person Personnummer
sex = Person Kön
intervention = Insats Typ
start_date = Insats Start
INI
cat >"$WORK/input/lundby.csv" <<'CSV'
Rapport "Insatser" Lundby;;;
Uttag 2026-11-01;;;
Person;;Insats;
Personnummer;Kön;Typ;Start
00000000-0001;K;Öppenvård;2026-01-05
00000000-0002;M;HVB;2026-02-01
CSV

expect_ingest 0 -q
expect_stats lundby.csv "ok|6|2|2|0|0|2|2|0"
expect_eq "file_column (joined names)" "0 Person Personnummer identity_number 1
1 Person Kön sex 0
2 Insats Typ intervention 0
3 Insats Start start_date 0" "$(columns lundby.csv)"
expect_eq "raw_row" "5: |K|Öppenvård|2026-01-05
6: |M|HVB|2026-02-01" "$(rows lundby.csv)"
expect_eq "no rejects" "0" "$(q 'SELECT count(*) FROM reject;')"
expect_reconciled
finish
