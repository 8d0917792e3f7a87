#!/usr/bin/env bash
# t0200-map-samples.sh - guards the map stage on the repository's sample
# exports (input/, mappings/) against tests/data/sample-truth.txt:
#   episodes_mapped <DISTRICT> n   episodes of the district
#   episodes <DISTRICT> n          rows ingest keeps = rows the map stage reads
#   file <name> rows_rejected_map  mapped_file.rows_rejected of the file
#   reject <file> <line> <cause>   the causes of the map stage (bad_date,
#                                  unmapped_code, end_before_start) are exactly
#                                  the map rejects, by file, line and code
#   idform ...                     id_type counts: SAMNR = samnr, RESERV =
#                                  reserve, NONE = missing + the bad_check rows
#                                  that survive mapping, and no other flaw
#   persons_mapped city n          distinct person_ref over PNR/SAMNR episodes
#                                  is at most n (and at least n minus the
#                                  episodes without a valid number)
# and, for every file, mapped_file rows_read = rows_kept + rows_rejected,
# rows_read = input_file.rows_kept.  A missing truth fact fails the test.
. "$(dirname "$0")/lib.sh"
new_fixture
truth=$PL_ROOT/tests/data/sample-truth.txt
if [ ! -s "$truth" ]; then
	expect_eq "truth file $truth exists and is not empty" "present" "missing"
	finish
fi
cp -R "$PL_ROOT/input/." "$WORK/input/"
cp -R "$PL_ROOT/mappings/." "$WORK/mappings/"

# need KIND A: set $v to the value (third word) of the one truth line
# "KIND A value"; a missing or repeated fact fails the test (and $v is -1).
need() {
	v=$(awk -v k="$1" -v a="$2" '$1 == k && $2 == a { print $3 }' "$truth")
	case $v in
	''|*[!0-9]*)
		expect_eq "truth has exactly one line '$1 $2 <number>'" "one" "${v:-none}"
		v=-1 ;;
	esac
}

map_causes=" bad_date unmapped_code end_before_start "
awk '$1 == "reject" { print $2, $3, $4 }' "$truth" |
	while read -r f l c; do
		case $map_causes in *" $c "*) printf '%s %s %s\n' "$f" "$l" "$c" ;; esac
	done | LC_ALL=C sort >"$WORK/truth.rejects"
expect_true "truth has map-stage rejects" test -s "$WORK/truth.rejects"

# Ingest as t0190 does (exit 0 on the samples: every file is ok), then map.
expect_ingest 0 -q
expect_map 0 -q --today 2026-01-15

# Every ok file mapped; counts reconcile per file.
expect_map_reconciled
expect_eq "mapped files" "$(q "SELECT count(*) FROM input_file WHERE status = 'ok';")" \
	"$(q 'SELECT count(*) FROM mapped_file;')"

# Episodes per district (mapped) and rows read per district (ingest kept).
districts=$(awk '$1 == "episodes_mapped" { print $2 }' "$truth" | sort)
expect_true "truth has episodes_mapped lines" test -n "$districts"
expect_eq "districts with episodes vs the truth's" "$districts" \
	"$(q 'SELECT DISTINCT district FROM episode ORDER BY 1;')"
for d in $districts; do
	need episodes_mapped "$d"
	expect_eq "episodes of $d (episodes_mapped)" "$v" \
		"$(q "SELECT count(*) FROM episode WHERE district = '$d';")"
	need episodes "$d"
	expect_eq "rows the map stage read for $d (episodes)" "$v" \
		"$(q "SELECT coalesce(sum(rows_read), 0) FROM mapped_file
		       WHERE file_id IN (SELECT file_id FROM episode WHERE district = '$d');")"
done

# rows_rejected_map per file.
awk '$1 == "file" && $3 == "rows_rejected_map" { print $2, $4 }' "$truth" >"$WORK/truth.rrm"
expect_true "truth has rows_rejected_map lines" test -s "$WORK/truth.rrm"
while read -r name n; do
	expect_eq "mapped_file.rows_rejected of $name (rows_rejected_map)" "$n" \
		"$(q "SELECT coalesce((SELECT rows_rejected FROM mapped_file
		                        WHERE file_id = $(fid "$name")), 'not mapped');")"
done <"$WORK/truth.rrm"

# The map rejects are exactly the truth's map-stage rejects.
q "SELECT f.name || ' ' || j.line || ' ' || j.code
     FROM reject j JOIN input_file f USING (file_id)
    WHERE j.stage = 'map';" | LC_ALL=C sort >"$WORK/db.rejects"
expect_eq "truth's map rejects missing from the database (file line code)" "" \
	"$(LC_ALL=C comm -23 "$WORK/truth.rejects" "$WORK/db.rejects")"
expect_eq "database's map rejects not in the truth (file line code)" "" \
	"$(LC_ALL=C comm -13 "$WORK/truth.rejects" "$WORK/db.rejects")"
expect_eq "map rejects without a field, or with a value of a sensitive column" "" \
	"$(q "SELECT j.line || ' ' || j.code FROM reject j JOIN file_column c
	        ON c.file_id = j.file_id AND c.name = j.field
	       WHERE j.stage = 'map' AND c.sealed = 1 AND j.value IS NOT NULL
	       UNION ALL
	      SELECT line || ' ' || code FROM reject WHERE stage = 'map' AND field IS NULL;")"

# Identity forms.
need idform samnr
expect_eq "id_type SAMNR (idform samnr)" "$v" \
	"$(q "SELECT count(*) FROM episode WHERE id_type = 'SAMNR';")"
need idform reserve
expect_eq "id_type RESERV (idform reserve)" "$v" \
	"$(q "SELECT count(*) FROM episode WHERE id_type = 'RESERV';")"
need idform missing
missing=$v
need idform bad_check
bad_check=$v
bad_kept=$(q "SELECT count(*) FROM episode WHERE id_flaw = 'bad check digit';")
n_map_rejects=$(wc -l <"$WORK/truth.rejects")
expect_eq "id_type NONE with no flaw (idform missing)" "$missing" \
	"$(q "SELECT count(*) FROM episode WHERE id_type = 'NONE' AND id_flaw IS NULL;")"
expect_eq "id_type NONE = idform missing ($missing) + bad check digits kept ($bad_kept)" \
	"$((missing + bad_kept))" "$(q "SELECT count(*) FROM episode WHERE id_type = 'NONE';")"
expect_true "bad check digits kept ($bad_kept) within idform bad_check ($bad_check) minus the map rejects ($n_map_rejects)" \
	test "$bad_kept" -le "$bad_check" -a "$bad_kept" -ge $((bad_check - n_map_rejects))
pnr_forms=$(awk '$1 == "idform" && $2 ~ /^pnr/ { s += $3 } END { print s + 0 }' "$truth")
n_pnr=$(q "SELECT count(*) FROM episode WHERE id_type = 'PNR';")
expect_true "id_type PNR ($n_pnr) within the pnr forms ($pnr_forms) minus the map rejects ($n_map_rejects)" \
	test "$n_pnr" -le "$pnr_forms" -a "$n_pnr" -ge $((pnr_forms - n_map_rejects))
expect_eq "episodes with a person_ref iff id_type is not NONE" "" \
	"$(q "SELECT line || ' ' || id_type FROM episode
	       WHERE (person_ref IS NULL) != (id_type = 'NONE') LIMIT 5;")"
expect_eq "person_ref not 32 lower-case hex digits" "" \
	"$(q "SELECT line FROM episode WHERE person_ref IS NOT NULL
	        AND (length(person_ref) != 32 OR person_ref GLOB '*[^0-9a-f]*') LIMIT 5;")"

# Persons: valid numbers link episodes across districts.
need persons_mapped city
persons=$v
refs=$(q "SELECT count(DISTINCT person_ref) FROM episode WHERE id_type IN ('PNR', 'SAMNR');")
no_valid=$(q "SELECT count(*) FROM episode WHERE id_type IN ('NONE', 'RESERV');")
expect_true "distinct person_ref over PNR/SAMNR ($refs) <= persons_mapped city ($persons)" \
	test "$refs" -le "$persons"
expect_true "distinct person_ref over PNR/SAMNR ($refs) >= persons_mapped city ($persons) - episodes without a valid number ($no_valid)" \
	test "$refs" -ge $((persons - no_valid))
finish
