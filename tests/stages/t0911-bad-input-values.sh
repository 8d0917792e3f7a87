#!/usr/bin/env bash
# t0911-bad-input-values.sh - guards map against bad values, each file on its
# own (ingest + map) and mixed into a good night (the samples, by the driver):
# - dates 2024-02-30, 0000-00-00, 31/12/99 reject their rows (bad_date, with
#   file, line, field and value on stderr); 2024-02-29 is kept;
# - numbers under decimal = comma: '1.234,5' and '1 234,5' are 1234.5; '-',
#   'NaN' and '1,2,3' reject their rows (bad_number);
# - identity numbers of every wrong shape are kept with id_type NONE, no
#   person_ref and id_flaw saying why (not an identity number shape, bad
#   check digit, no such birth date), never rejected;
# - duplicated header names (provider's column renamed into a second
#   'Insats', the comment column into a second 'Personnummer'): a sensitive column named twice is sealed in
#   both; a mapped column named twice is read from the first and ingest
#   warns "FILE:LINE: header names column 'X' twice" (regression: it was
#   silently ignored);
# - every file reconciles at ingest and map; the driver exits 0 and the good
#   files' episodes and persons by district are those of a run without them.
. "$(dirname "$0")/lib.sh"
new_fixture
samples_fixture
for s in badv badc; do
	sed -e "s/^name = angered/name = $s/" -e 's/^district = ANGERED/district = CENTRUM/' \
		-e "s/^files = angered\\.csv/files = ${s}_*.csv/" \
		"$WORK/mappings/angered.ini" >"$WORK/mappings/$s.ini"
done
sed -i 's/^decimal = point$/decimal = comma/' "$WORK/mappings/badc.ini"
expect_true "badc.ini has decimal = comma" grep -q '^decimal = comma$' "$WORK/mappings/badc.ini"

BASE=$WORK/base/pipeline.db
expect_exit 0 "$PL_BIN/run" -q --bin "$PL_BIN" -i "$WORK/input" -m "$WORK/mappings" -d "$BASE" -k "$KEY"

B=$WORK/bad
mkdir -p "$B"
H=$(head -n 1 "$WORK/input/angered.csv" | tr -d '\r')
row() { # PNR START COST COMMENT
	printf '%s,Viktor,Samuelsson,1988-05-25,Man,424 70,HVB,Egen regi,Narkotika,%s,,%s,Nej,%s\n' "$@"
}
{ printf '%s\n' "$H"
  for d in 2024-02-30 0000-00-00 31/12/99 2024-02-29; do row 19880525-8657 "$d" '' ''; done
} >"$B/badv_dates.csv"
{ printf '%s\n' "$H"
  for n in '"1.234,5"' '"1 234,5"' - NaN '"1,2,3"' '"1234,5"'; do row 19880525-8657 2024-01-01 "$n" ''; done
} >"$B/badc_numbers.csv"
ids='19880525-8658 8805258658 198805258657X abc 19881325-8657 19880525--8657 00000000-0000 1988-05-25-8657 880525+865 1234567890123456789012345 880525-8657'
{ printf '%s\n' "$H"
  for i in $ids; do row "$i" 2024-01-01 '' ''; done
} >"$B/badv_ids.csv"
{ printf '%s\n' "$H" | sed -e 's/,Utförare,/,Insats,/' -e 's/Kommentar$/Personnummer/'
  printf '19880525-8657,Viktor,Samuelsson,1988-05-25,Man,424 70,HVB,Öppenvård,Narkotika,2024-01-01,,,Nej,19991231-0000\n'
} >"$B/badv_dup.csv"
expect_eq "badv_dup.csv: the header as meant" "$(printf '\357\273\277')Personnummer,Insats,Insats,Personnummer" \
	"$(head -n 1 "$B/badv_dup.csv" | cut -d, -f1,7,8,14)"

ids_want='2: NONE|bad check digit|-
3: NONE|bad check digit|-
4: NONE|not an identity number shape|-
5: NONE|not an identity number shape|-
6: NONE|no such birth date|-
7: NONE|not an identity number shape|-
8: NONE|no such birth date|-
9: NONE|not an identity number shape|-
10: NONE|not an identity number shape|-
11: NONE|not an identity number shape|-
12: PNR|-|ref'
check_values() {
	expect_eq "badv_dates.csv: map rejects" "2 Startdatum bad_date 2024-02-30
3 Startdatum bad_date 0000-00-00
4 Startdatum bad_date 31/12/99" "$(map_rejects badv_dates.csv)"
	expect_eq "badv_dates.csv: the leap day kept" "5: 2024-02-29" "$(episodes badv_dates.csv start_date)"
	expect_eq "badc_numbers.csv: map rejects" "4 Kostnad (kr) bad_number -
5 Kostnad (kr) bad_number NaN
6 Kostnad (kr) bad_number 1,2,3" "$(map_rejects badc_numbers.csv)"
	expect_eq "badc_numbers.csv: grouped numbers kept" "2: 1234.5
3: 1234.5
7: 1234.5" "$(episodes badc_numbers.csv cost_sek)"
	expect_eq "badv_ids.csv: no map reject" "" "$(map_rejects badv_ids.csv)"
	expect_eq "badv_ids.csv: id_type|id_flaw|person_ref" "$ids_want" \
		"$(q "SELECT line || ': ' || id_type || '|' || coalesce(id_flaw, '-') || '|'
		         || CASE WHEN person_ref IS NULL THEN '-' ELSE 'ref' END
		        FROM episode WHERE file_id = $(fid badv_ids.csv) ORDER BY line;")"
}

# Each on its own.
GOOD_DB=$DB
for name in badv_dates.csv badc_numbers.csv badv_ids.csv; do
	mkdir -p "$WORK/alone/$name"
	cp "$B/$name" "$WORK/alone/$name/"
	DB=$WORK/alone/$name.db
	expect_exit 0 "$PL_BIN/ingest" -q -i "$WORK/alone/$name" -m "$WORK/mappings" -d "$DB" -k "$KEY"
	expect_exit 0 "$PL_BIN/map" -m "$WORK/mappings" -d "$DB" -k "$KEY"
	expect_eq "$name alone: map stderr lines not in the log format" "" \
		"$(grep -a -v -E -e "$MAP_LOG_ERE" "$ERR")"
	case $name in
	badv_dates.csv) expect_grep "$name: stderr names file, line, field, value" \
		"Z map W badv_dates\\.csv:3: field 'Startdatum': '0000-00-00' is not a date in the \\[dates\\] formats$" "$(cat "$ERR")" ;;
	badc_numbers.csv) expect_grep "$name: stderr names file, line, field, value" \
		"Z map W badc_numbers\\.csv:5: field 'Kostnad \\(kr\\)': 'NaN' is not a number \\(decimal comma\\)$" "$(cat "$ERR")" ;;
	badv_ids.csv) expect_grep "$name: all kept" "Z map I badv_ids\\.csv: 11 rows mapped: 11 episodes, 0 rejected" "$(cat "$ERR")" ;;
	esac
	expect_reconciled
	expect_map_reconciled
done
DB=$WORK/alone/dup.db
mkdir -p "$WORK/alone/dup"
cp "$B/badv_dup.csv" "$WORK/alone/dup/"
expect_exit 0 "$PL_BIN/ingest" -i "$WORK/alone/dup" -m "$WORK/mappings" -d "$DB" -k "$KEY"
expect_grep "badv_dup.csv: the duplicated mapped column is named with file and line" \
	"Z ingest W badv_dup\\.csv:1: header names column 'Insats' twice \\(columns 7 and 8\\): intervention is read from column 7, column 8 is ignored$" \
	"$(cat "$ERR")"
expect_eq "badv_dup.csv: both identity columns sealed" "0 Personnummer identity_number 1
13 Personnummer - 1" "$(columns badv_dup.csv | grep Personnummer)"
expect_eq "badv_dup.csv: no identity number in clear" "" \
	"$(q "SELECT line FROM raw_row WHERE fields LIKE '%1999%' OR fields LIKE '%19880525%';")"
expect_reconciled
expect_exit 78 "$PL_BIN/map" -m "$WORK/mappings" -d "$DB" -k "$KEY"
expect_grep "badv_dup.csv: map names the mapping line of the missing column" \
	"Z map E .*mappings/badv\\.ini:[0-9]+: file 'badv_dup\\.csv' has no column for provider" "$(cat "$ERR")"
DB=$GOOD_DB

# Mixed into a good night (without the duplicated header: its map error is
# t0912's renamed column).
cp "$B"/badv_dates.csv "$B"/badc_numbers.csv "$B"/badv_ids.csv "$WORK/input/"
expect_run 0 -q
check_values
expect_reconciled
expect_map_reconciled
good_tables() { # DB: the good files' episodes and mapped_file rows
	sqlite3 -batch -noheader "$1" "
	  SELECT f.name, m.rows_read, m.rows_kept, m.rows_rejected FROM mapped_file m
	    JOIN input_file f USING (file_id) WHERE f.name NOT LIKE 'bad%' ORDER BY f.name;
	  SELECT f.name, e.line, e.district, e.id_type, e.id_flaw, e.person_ref, e.start_date,
	         e.cost_sek FROM episode e JOIN input_file f USING (file_id)
	   WHERE f.name NOT LIKE 'bad%' ORDER BY f.name, e.line;" 2>>"$WORK/.sql-errors"
}
expect_eq "the good files mapped as without the bad ones" "$(good_tables "$BASE")" "$(good_tables "$DB")"
persons_sql="SELECT period || ' ' || district || ' ' || numerator FROM indicator_value
	WHERE indicator = 'persons' AND breakdown = 'district' AND district != 'CENTRUM' ORDER BY 1;"
expect_true "the baseline has persons by district" test -n "$(sqlite3 "$BASE" "$persons_sql")"
expect_eq "persons by district of the good districts as without the bad files" \
	"$(sqlite3 "$BASE" "$persons_sql")" "$(q "$persons_sql")"
expect_eq "CENTRUM's episodes: the kept rows of the bad files" 15 \
	"$(q "SELECT count(*) FROM episode WHERE district = 'CENTRUM';")"
finish
