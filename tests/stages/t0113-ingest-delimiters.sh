#!/usr/bin/env bash
# t0113-ingest-delimiters.sh - guards the four delimiters: the same records
# written with comma, semicolon, tab and pipe (a field holding the delimiter
# quoted) give the same columns and identical raw_row fields.
. "$(dirname "$0")/lib.sh"
new_fixture
declare -A char=([comma]=',' [semicolon]=';' [tab]=$'\t' [pipe]='|')
for d in comma semicolon tab pipe; do
	mapping "d_$d" <<INI
[source]
name = d_$d
district = CENTRUM
files = $d.txt
[dialect]
delimiter = $d
[columns]
identity_number = Personnummer
INI
	c=${char[$d]}
	field() { case $1 in *"$c"*) printf '"%s"' "$1" ;; *) printf '%s' "$1" ;; esac; }
	{
		printf '%s%s%s%s%s\n' Personnummer "$c" Insats "$c" Kommentar
		printf '%s%s%s%s%s\n' 00000000-0001 "$c" "$(field 'Öppenvård')" "$c" "$(field '12,50')"
		printf '%s%s%s%s%s\n' 00000000-0002 "$c" HVB "$c" "$(field 'a;b,c|d')"
	} >"$WORK/input/$d.txt"
done

expect_ingest 0 -q
for d in comma semicolon tab pipe; do
	expect_stats "$d.txt" "ok|3|0|1|0|0|2|2|0"
	expect_eq "$d: file_column" "0 Personnummer identity_number 1
1 Insats - 0
2 Kommentar - 0" "$(columns "$d.txt")"
	expect_eq "$d: raw_row fields (hex)" \
		"$(hexof '\x1f\xc3\x96ppenv\xc3\xa5rd\x1f12,50')
$(hexof '\x1fHVB\x1fa;b,c|d')" \
		"$(q "SELECT hex(fields) FROM raw_row WHERE file_id = $(fid "$d.txt") ORDER BY line;")"
done
expect_reconciled
finish
