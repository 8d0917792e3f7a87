#!/usr/bin/env bash
# t0112-ingest-utf8-bom.sh - guards BOM handling on TAB-delimited UTF-8: the
# BOM is stripped from the first header name (so it matches the mapping and is
# sealed) with encoding utf-8-bom and with plain utf-8; a UTF-8 NBSP and a
# decimal comma are kept verbatim.  (The two files differ in one identity
# number so that neither is a duplicate of the other.)
. "$(dirname "$0")/lib.sh"
new_fixture
n=0
for enc in utf-8-bom utf-8; do
	n=$((n + 1))
	mapping "src_${enc//-/_}" <<INI
[source]
name = src_${enc//-/_}
district = OSTRA
files = ${enc}_*.tsv
[dialect]
encoding = $enc
delimiter = tab
[columns]
identity_number = Personnummer
INI
	{
		printf '\xef\xbb\xbfPersonnummer\tInsats\tKostnad\r\n'
		printf '00000000-0001\t\xc3\x96ppenv\xc3\xa5rd\t1\xc2\xa0234,50\r\n'
		printf '00000000-000%d\tHVB\t0,5\r\n' $((n + 1))
	} >"$WORK/input/${enc}_ostra.tsv"
done

expect_ingest 0 -q
for enc in utf-8-bom utf-8; do
	f=${enc}_ostra.tsv
	expect_stats "$f" "ok|3|0|1|0|0|2|2|0"
	expect_eq "$f: first header name without BOM (hex)" "$(hexof 'Personnummer')" \
		"$(q "SELECT hex(name) FROM file_column WHERE file_id = $(fid "$f") AND col_idx = 0;")"
	expect_eq "$f: file_column" "0 Personnummer identity_number 1
1 Insats - 0
2 Kostnad - 0" "$(columns "$f")"
	expect_eq "$f: line 2 fields (hex)" "$(hexof '\x1f\xc3\x96ppenv\xc3\xa5rd\x1f1\xc2\xa0234,50')" \
		"$(q "SELECT hex(fields) FROM raw_row WHERE file_id = $(fid "$f") AND line = 2;")"
	expect_eq "$f: line 3" "3: |HVB|0,5" "$(rows "$f" | sed -n 2p)"
done
expect_reconciled
finish
