#!/usr/bin/env bash
# t0161-ingest-privacy.sh - guards privacy: no identity number, first or last
# name or postcode of the input (kept rows and rejected ones) appears in the
# database file, its -wal/-journal, or the verbose log; the four columns are
# sealed; the three kept rows' sealed values are one chunk in raw_sealed
# (format 2, from line 2), a blob of nonce (24) + ciphertext + tag (16) over
# exactly their frames: line and length (a byte each here) and the values.
. "$(dirname "$0")/lib.sh"
new_fixture
basic_fixture
printf '00000000-0009;Avvisa;Radsson;999 99;K\n' >>"$WORK/input/basic.csv"
secrets=(00000000-0001 00000000-0002 00000000-0003 00000000-0009
	Testina Provald Exemplia Avvisa Fiktivsson Påhittadsson Låtsasberg Radsson
	'999 91' '999 92' '999 93' '999 99')

expect_ingest 0 -v
expect_stats basic.csv "ok|5|0|1|0|0|4|3|1"
expect_eq "sealed flags by column" "1 1 1 1 0 0 0" \
	"$(q "SELECT group_concat(sealed, ' ') FROM (SELECT sealed FROM file_column ORDER BY col_idx);")"
expect_eq "raw_row has no sealed column" "0" \
	"$(q "SELECT count(*) FROM pragma_table_info('raw_row') WHERE name = 'sealed';")"
plain=0
for row in '00000000-0001\x1fTestina\x1fFiktivsson\x1f999 91' \
	'00000000-0002\x1fProvald\x1fPåhittadsson\x1f999 92' \
	'00000000-0003\x1fExemplia\x1fLåtsasberg\x1f999 93'; do
	plain=$((plain + 2 + $(printf "$row" | wc -c)))
done
expect_eq "one chunk: its file, first line, format, length (24 + $plain + 16)" \
	"1|2|2|$((24 + plain + 16))" \
	"$(q "SELECT file_id = $(fid basic.csv), first_line, format, length(blob) FROM raw_sealed;")"

# Positive control: a clear-text value is found by the same grep.
expect_true "unsealed value 'Boendestöd' is found in the database" \
	grep -a -q -F -e Boendestöd "$DB"
for v in "${secrets[@]}"; do
	expect_true "'$v' is in the input" grep -a -q -F -e "$v" "$WORK/input/basic.csv"
	for f in "$DB" "$DB-wal" "$DB-journal"; do
		[ -e "$f" ] || continue
		expect_eq "'$v' in $(basename "$f")" "0" "$(grep -a -c -F -e "$v" "$f")"
	done
	expect_eq "'$v' in the -v log" "0" "$(grep -a -c -F -e "$v" "$ERR")"
done
expect_reconciled
finish
