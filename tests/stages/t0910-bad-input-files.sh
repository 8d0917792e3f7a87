#!/usr/bin/env bash
# t0910-bad-input-files.sh - guards ingest against broken files, each on its
# own and mixed into a good night (the samples): an empty file, a header
# only, binary garbage (tests/data/bad/garbage.bin), a NUL byte, invalid
# UTF-8, the wrong encoding (Windows-1252 under a UTF-8 source), a file cut
# mid-record, mid-quote and mid-multibyte character, an unterminated quote, a
# 50 MB field, 100,000 columns (in a row, in the header) and a million rows
# of one byte (the last three made at run time).  Each is claimed by source
# 'bad' (district CENTRUM) and keeps no row, so:
# - alone: ingest exits 65 for a file it cannot read (status 'failed', the
#   reason in input_file.message and on stderr with the file name), else 0
#   with each bad record rejected at its line (stderr "FILE:LINE: reason");
#   never 70/134/139; every file reconciles; map then exits 0;
# - mixed: the driver exits 65 naming the failed files, the good files are
#   ingested and mapped exactly as without the bad ones and every indicator
#   figure is the same.
. "$(dirname "$0")/lib.sh"
new_fixture
samples_fixture
sed -e 's/^name = angered/name = bad/' -e 's/^district = ANGERED/district = CENTRUM/' \
	-e 's/^files = angered\.csv/files = bad_*.csv/' \
	"$WORK/mappings/angered.ini" >"$WORK/mappings/bad.ini"
sed -e 's/^name = bad$/name = badw/' -e 's/^files = bad_\*\.csv/files = badw_*.csv/' \
	-e 's/^encoding = utf-8-bom/encoding = windows-1252/' "$WORK/mappings/bad.ini" >"$WORK/mappings/badw.ini"
expect_true "bad.ini claims bad_*.csv" grep -q '^files = bad_\*\.csv$' "$WORK/mappings/bad.ini"
expect_true "badw.ini claims badw_*.csv, Windows-1252" \
	grep -q '^encoding = windows-1252$' "$WORK/mappings/badw.ini"

# The baseline: the samples alone, by the driver, into another database with
# the same key (it is created here).
BASE=$WORK/base/pipeline.db
expect_exit 0 "$PL_BIN/run" -q --bin "$PL_BIN" -i "$WORK/input" -m "$WORK/mappings" -d "$BASE" -k "$KEY"

B=$WORK/bad
mkdir -p "$B"
H=$(head -n 1 "$WORK/input/angered.csv") # with its BOM
R='19880525-8657,Viktor,Samuelsson,1988-05-25,Man,424 70,HVB,Egen regi,Narkotika,2024-09-10,2025-08-27,,Nej'
: >"$B/bad_empty.csv"
printf '%s\n' "$H" >"$B/bad_header_only.csv"
cp "$PL_ROOT/tests/data/bad/garbage.bin" "$B/bad_garbage.csv"
{ printf '%s\n' "$H"; printf '19880525-8657,Vi\0ktor,S,1988-05-25,Man,424 70,HVB,Egen regi,Narkotika,2024-09-10,,,Nej,x\n'; } >"$B/bad_nul.csv"
{ printf '%s\n' "$H"; printf '19880525-8657,Vi\344ktor,S,1988-05-25,Man,424 70,HVB,Egen regi,Narkotika,2024-09-10,,,Nej,x\n'; } >"$B/bad_utf8.csv"
{ printf '%s\n' "${H#$'\xef\xbb\xbf'}" | iconv -f UTF-8 -t WINDOWS-1252; printf '%s,x\n' "$R"; } >"$B/bad_cp1252.csv"
{ printf '%s\n' "${H#$'\xef\xbb\xbf'}"; printf '%s,x\n' "$R"; } >"$B/badw_utf8.csv"
{ printf '%s\n' "$H"; printf '19880525-8657,Viktor,Sam'; } >"$B/bad_cut_record.csv"
{ printf '%s\n' "$H"; printf '19880525-8657,"Vik'; } >"$B/bad_cut_quote.csv"
{ printf '%s\n' "$H"; printf '%s,x\303' "$R"; } >"$B/bad_cut_utf8.csv"
{ printf '%s\n' "$H"; printf '%s,"never closed\n' "$R"; printf 'a,b\n'; } >"$B/bad_unterm.csv"
{ printf '%s\n' "$H"; printf '%s,' "$R"; head -c 52428800 /dev/zero | tr '\0' a; printf '\n'; } >"$B/bad_big_field.csv"
{ printf '%s\n' "$H"; awk 'BEGIN { for (i = 0; i < 100000; i++) printf "x,"; print "x" }'; } >"$B/bad_wide_row.csv"
{ printf '%s' "$H"; awk 'BEGIN { for (i = 0; i < 100000; i++) printf ",c%d", i; print "" }'; printf '%s,x\n' "$R"; } >"$B/bad_wide_header.csv"
{ printf '%s\n' "$H"; awk 'BEGIN { for (i = 0; i < 1000000; i++) print "x" }'; } >"$B/bad_million.csv"
expect_true "the 50 MB field file" test "$(stat -c %s "$B/bad_big_field.csv")" -gt 52428800

# case NAME EXIT STATS MESSAGE-LIKE REJECTS STDERR-ERE
#   STATS: status|lines|header|rows_read|rows_kept|rows_rejected;
#   REJECTS: "line code" of the ingest rejects, space-joined
cases=$WORK/cases
cat >"$cases" <<'T'
bad_empty.csv	65	failed|0|0|0|0|0	empty file	-	Z ingest E bad_empty\.csv: empty file$
bad_header_only.csv	0	ok|1|1|0|0|0	-	-	Z ingest I bad_header_only\.csv: 0 rows read, 0 kept, 0 rejected
bad_garbage.csv	65	failed|0|0|0|0|0	header at line 1, column 1: invalid byte 0x89 for encoding utf-8-bom	-	Z ingest E bad_garbage\.csv: header at line 1, column 1: invalid byte 0x89
bad_nul.csv	0	ok|2|1|1|0|1	-	2 control_char	Z ingest W bad_nul\.csv:2: field 'Förnamn': control character 0x00$
bad_utf8.csv	0	ok|2|1|1|0|1	-	2 encoding	Z ingest W bad_utf8\.csv:2: field 'Förnamn': invalid byte 0xE4 for encoding utf-8-bom$
bad_cp1252.csv	65	failed|0|0|0|0|0	header at line 1, column 2: invalid byte 0xF6 for encoding utf-8-bom	-	Z ingest E bad_cp1252\.csv: header at line 1, column 2: invalid byte 0xF6
badw_utf8.csv	65	failed|0|0|0|0|0	-	-	Z ingest E badw_utf8\.csv: no column for first_name \('förnamn', .*mappings/badw\.ini line [0-9]+\) in the header
bad_cut_record.csv	0	ok|2|1|1|0|1	-	2 field_count	Z ingest W bad_cut_record\.csv:2: expected 14 fields, found 3$
bad_cut_quote.csv	0	ok|2|1|1|0|1	-	2 unterminated_quote	Z ingest W bad_cut_quote\.csv:2: unterminated quote
bad_cut_utf8.csv	0	ok|2|1|1|0|1	-	2 encoding	Z ingest W bad_cut_utf8\.csv:2: field 'Kommentar': invalid byte 0xC3
bad_unterm.csv	0	ok|3|1|2|0|2	-	2 unterminated_quote 3 field_count	Z ingest W bad_unterm\.csv:2: unterminated quote
bad_big_field.csv	0	ok|2|1|1|0|1	-	2 field_too_long	Z ingest W bad_big_field\.csv:2: field 'Kommentar': field longer than 65536 bytes$
bad_wide_row.csv	0	ok|2|1|1|0|1	-	2 field_count	Z ingest W bad_wide_row\.csv:2: expected 14 fields, found 100001$
bad_wide_header.csv	65	failed|0|0|0|0|0	header at line 1 has more than 4096 fields	-	Z ingest E bad_wide_header\.csv: header at line 1 has more than 4096 fields$
bad_million.csv	0	ok|1000001|1|1000000|0|1000000	-	-	Z ingest W bad_million\.csv: 999990 more rejected rows not shown \(see table reject\)$
T

check_file() { # NAME STATS MESSAGE REJECTS
	expect_eq "$1: status|lines|header|read|kept|rejected" "$2" \
		"$(q "SELECT status || '|' || lines || '|' || header_lines || '|' || rows_read || '|'
		         || rows_kept || '|' || rows_rejected FROM input_file WHERE name = $(sql_str "$1");")"
	if [ "$3" != - ]; then
		expect_eq "$1: message" "$3" "$(q "SELECT message FROM input_file WHERE name = $(sql_str "$1");")"
	fi
	if [ "$4" != - ]; then
		expect_eq "$1: rejects (line code)" "$4" \
			"$(q "SELECT group_concat(line || ' ' || code, ' ') FROM (SELECT line, code FROM reject
			       WHERE stage = 'ingest' AND file_id = $(fid "$1") ORDER BY line);")"
	fi
}

# Each on its own: ingest and map on a database of its own.
GOOD_DB=$DB
while IFS=$'\t' read -r name code stats msg rejects ere; do
	mkdir -p "$WORK/alone/$name"
	ln "$B/$name" "$WORK/alone/$name/$name"
	DB=$WORK/alone/$name.db
	expect_exit "$code" "$PL_BIN/ingest" -i "$WORK/alone/$name" -m "$WORK/mappings" -d "$DB" -k "$KEY"
	expect_eq "$name alone: ingest stderr lines not in the log format" "" \
		"$(grep -a -v -E -e "$LOG_ERE" "$ERR" | head -n 3)"
	expect_grep "$name alone: stderr names the file (and line)" "$ere" "$(cat "$ERR")"
	check_file "$name" "$stats" "$msg" "$rejects"
	expect_reconciled
	expect_exit 0 "$PL_BIN/map" -q -m "$WORK/mappings" -d "$DB" -k "$KEY"
	expect_eq "$name alone: no episode" 0 "$(q 'SELECT count(*) FROM episode;')"
	rm -f "$WORK/alone/$name/$name" "$DB"
done <"$cases"
DB=$GOOD_DB

# Mixed into a good night.
mv "$B"/bad*.csv "$WORK/input/"
expect_run 65 -q
expect_grep "the driver names the files it could not process" \
	"Z run E exit 65: ingest could not process 5 of 22 files: 'bad_cp1252\\.csv' \\(failed\\), 'bad_empty\\.csv' \\(failed\\), 'bad_garbage\\.csv' \\(failed\\), 'bad_wide_header\\.csv' \\(failed\\), 'badw_utf8\\.csv' \\(failed\\); the others: 17 files ingested" \
	"$(tail -n 1 "$ERR")"
expect_eq "-q: only ingest's error lines before the summary" "" \
	"$(sed '$d' "$ERR" | grep -a -v -E '^[0-9T:-]+Z ingest E ' | head -n 3)"
while IFS=$'\t' read -r name code stats msg rejects ere; do
	check_file "$name" "$stats" "$msg" "$rejects"
done <"$cases"
expect_reconciled
expect_map_reconciled
good_tables() { # DB: the good files' rows of input_file, mapped_file and episode
	sqlite3 -batch -noheader "$1" "
	  SELECT name, sha256, status, lines, rows_read, rows_kept, rows_rejected FROM input_file
	   WHERE name NOT LIKE 'bad%' ORDER BY name;
	  SELECT f.name, m.rows_read, m.rows_kept, m.rows_rejected FROM mapped_file m
	    JOIN input_file f USING (file_id) WHERE f.name NOT LIKE 'bad%' ORDER BY f.name;
	  SELECT f.name, e.line, e.district, e.id_type, e.person_ref, e.start_date FROM episode e
	    JOIN input_file f USING (file_id) ORDER BY f.name, e.line;" 2>>"$WORK/.sql-errors"
}
expect_true "the baseline has episodes" test "$(sqlite3 "$BASE" 'SELECT count(*) FROM episode;')" -gt 2000
expect_eq "the good files ingested and mapped as without the bad ones" \
	"$(good_tables "$BASE")" "$(good_tables "$DB")"
expect_eq "persons in indicator_value as without the bad files" \
	"$(sqlite3 "$BASE" "SELECT period || ' ' || coalesce(district, '-') || ' ' || numerator FROM indicator_value WHERE indicator = 'persons' AND breakdown IN ('total', 'district') ORDER BY 1;")" \
	"$(q "SELECT period || ' ' || coalesce(district, '-') || ' ' || numerator FROM indicator_value WHERE indicator = 'persons' AND breakdown IN ('total', 'district') ORDER BY 1;")"
expect_eq "every indicator figure as without the bad files" \
	"$(indicator_tables "$BASE")" "$(indicator_tables "$DB")"
finish
