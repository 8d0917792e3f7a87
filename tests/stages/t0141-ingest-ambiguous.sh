#!/usr/bin/env bash
# t0141-ingest-ambiguous.sh - guards a file two sources claim: 'ambiguous',
# nothing read, exit 65; files each source claims alone are ingested.
. "$(dirname "$0")/lib.sh"
new_fixture
mapping alpha <<'INI'
[source]
name = alpha_src
district = LUNDBY
files = lundby*.csv
[dialect]
delimiter = semicolon
[columns]
identity_number = Personnummer
INI
mapping beta <<'INI'
[source]
name = beta_src
district = OSTRA
files = *_2026.csv
[dialect]
delimiter = semicolon
[columns]
identity_number = Personnummer
INI
printf 'Personnummer;Insats\n00000000-0001;OPEN\n' >"$WORK/input/lundby_2026.csv"
printf 'Personnummer;Insats\n00000000-0002;HVB\n' >"$WORK/input/lundby_2025.csv"
printf 'Personnummer;Insats\n00000000-0003;LVM\n' >"$WORK/input/ostra_2026.csv"

expect_ingest 65 -q
expect_eq "lundby_2026.csv (status|message given|read|kept)" "ambiguous|1|0|0" \
	"$(q "SELECT status, coalesce(message, '') != '', rows_read, rows_kept
	        FROM input_file WHERE name = 'lundby_2026.csv';")"
expect_eq "raw_row of lundby_2026.csv" "" "$(rows lundby_2026.csv)"
expect_like "lundby_2026.csv reported" '%lundby_2026.csv%' "$(cat "$ERR")"
expect_eq "sources of the other files" "lundby_2025.csv|alpha_src|ok
ostra_2026.csv|beta_src|ok" \
	"$(q "SELECT name, source, status FROM input_file WHERE name != 'lundby_2026.csv' ORDER BY name;")"
expect_eq "raw_row of lundby_2025.csv" "2: |HVB" "$(rows lundby_2025.csv)"
expect_eq "raw_row of ostra_2026.csv" "2: |LVM" "$(rows ostra_2026.csv)"
expect_reconciled
finish
