#!/usr/bin/env bash
# t0160-ingest-missing-sensitive-column.sh - guards sealing against renamed
# columns: a file whose header lacks the column mapped to a sensitive field
# fails (exit 65) and stores nothing of it, so the renamed column's names never
# reach the database in clear; an alias matched case- and space-insensitively
# is found and sealed.
. "$(dirname "$0")/lib.sh"
new_fixture
mapping names <<'INI'
[source]
name = names
district = ANGERED
files = *.csv
[dialect]
delimiter = semicolon
[columns]
identity_number = Personnummer | Pnr
last_name = Efternamn
INI
printf 'PNR; Efternamn ;Insats\n00000000-0001;Fiktivsson;OPEN\n' >"$WORK/input/alias.csv"
printf 'Personnummer;Familjenamn;Insats\n00000000-0002;Renamedsson;HVB\n' >"$WORK/input/renamed.csv"

expect_ingest 65 -q
expect_stats alias.csv "ok|2|0|1|0|0|1|1|0"
expect_eq "alias.csv file_column" "0 PNR identity_number 1
1 Efternamn last_name 1
2 Insats - 0" "$(columns alias.csv)"
expect_eq "alias.csv raw_row" "2: ||OPEN" "$(rows alias.csv)"

expect_eq "renamed.csv (status|read|kept|rejected)" "failed|0|0|0" \
	"$(q "SELECT status, rows_read, rows_kept, rows_rejected FROM input_file WHERE name = 'renamed.csv';")"
expect_grep "renamed.csv message names the missing field or column" 'last_name|Efternamn' \
	"$(q "SELECT message FROM input_file WHERE name = 'renamed.csv';")"
expect_eq "renamed.csv raw_row" "" "$(rows renamed.csv)"
expect_like "renamed.csv logged" '%renamed.csv%' "$(cat "$ERR")"
for v in Renamedsson Fiktivsson; do
	for f in "$DB" "$DB-wal" "$DB-journal"; do
		[ -e "$f" ] || continue
		expect_eq "'$v' in $(basename "$f")" "0" "$(grep -a -c -F -e "$v" "$f")"
	done
done
expect_reconciled
finish
