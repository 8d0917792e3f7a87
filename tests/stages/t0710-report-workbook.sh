#!/usr/bin/env bash
# t0710-report-workbook.sh - the report stage on the repository's samples
# (a copy of input/ and mappings/, after ingest, map, dedup and indicators):
# the workbook (report.xlsx, unpacked with unzip, or python3's zipfile
# without it, and read from its XML) and
# the CSV tables.
#   every published table has a sheet, in rep_build's order, "definitions"
#   last and listing every id; two CSV files per table; no temporary file
#   is left;
#   persons city-wide in the latest year is a number cell equal to the
#   database's numerator, in the sheet and in the CSV files;
#   every table sheet is frozen below its header (row 2) and right of its
#   labels; ".." is a shared string and no cell is an inline string;
#   in the tables of districts or codes by period or by code, and persons
#   by district and sex, every figure the database marks for suppression
#   is ".." in its value and interval cells, in the sheet and in both CSV
#   files, so its numerator appears in none of them (the samples have
#   such figures); every figure shown equals the database's value (exactly
#   in the sheet and the plain CSV, to the shown decimals in the Swedish
#   CSV); a cell the database has no value for is empty or "..";
#   no value cell of a count table shows a count of 1-4;
#   the Swedish CSV has a BOM and CRLF line ends, the plain CSV neither.
. "$(dirname "$0")/lib.sh"
new_fixture
cp -R "$PL_ROOT/input/." "$WORK/input/"
cp -R "$PL_ROOT/mappings/." "$WORK/mappings/"

n_checks=$((n_checks + 1))
if [ ! -x "$PL_BIN/report" ]; then
	fail "binary $PL_BIN/report exists" "not found or not executable (run make)"
	finish
fi
# unpack ZIP DIR: with unzip, or else python3's zipfile.
unpack() {
	if command -v unzip >/dev/null 2>&1; then
		unzip -q -o "$1" -d "$2"
	else
		python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' \
			"$1" "$2"
	fi
}
n_checks=$((n_checks + 1))
if ! command -v unzip >/dev/null 2>&1 && ! command -v python3 >/dev/null 2>&1; then
	fail "unzip or python3 is installed" "the workbook is unpacked with one of them"
	finish
fi

TABLES="persons_district_year rate_district_year dsr_district_year persons_district_sex
	intervention_district provider_district women_share_district_year
	children_share_district_year ngo_share_district_year nov1_district_year
	multi_district_year episode_length_intervention cost_per_person_district_year
	hidden_population_year equity_year quality_district quality_rejects"
TABLES=$(echo $TABLES) # on one line
COUNT_TABLES="persons_district_year persons_district_sex intervention_district
	provider_district nov1_district_year multi_district_year"

expect_ingest 0 -q
expect_map 0 -q --today 2026-01-15
expect_dedup 0 -q
expect_indicators 0 -q

R=$WORK/report
X=$WORK/xlsx
expect_exit 0 "$PL_BIN/report" -d "$DB" -o "$R" -q
expect_eq "report -q: stdout is empty" "" "$(cat "$OUT")"
expect_eq "report -q: stderr is empty" "" "$(cat "$ERR")"
[ "$RC" == 0 ] || finish

# ---- files ------------------------------------------------------------------
want_csv=$(for t in $TABLES; do printf '%s.csv\n%s-excel-sv.csv\n' "$t" "$t"; done | LC_ALL=C sort)
expect_eq "tables/: two CSV files per table, nothing else" "$want_csv" \
	"$(cd "$R/tables" 2>/dev/null && ls -A | LC_ALL=C sort)"
expect_eq "no temporary file left in the output directory" "" \
	"$(cd "$R" 2>/dev/null && ls -A | grep '^\.')"
expect_true "report.xlsx unpacks" unpack "$R/report.xlsx" "$X" || finish

expect_eq "sheets: one per table in order, then definitions" "$TABLES definitions" \
	"$(grep -o '<sheet name="[^"]*"' "$X/xl/workbook.xml" 2>/dev/null |
	   sed 's/^<sheet name="//; s/"$//' | tr '\n' ' ' | sed 's/ $//')"

# shared strings: "INDEX<TAB>TEXT" per string (tags dropped, entities decoded)
awk 'BEGIN { RS = "<si>" }
	NR > 1 {
		t = $0; sub(/<\/si>.*/, "", t); gsub(/<[^>]*>/, "", t); gsub(/\n/, " ", t)
		gsub(/&lt;/, "<", t); gsub(/&gt;/, ">", t); gsub(/&quot;/, "\"", t)
		gsub(/&apos;/, "'"'"'", t); gsub(/&amp;/, "\\&", t)
		print NR - 2 "\t" t
	}' "$X/xl/sharedStrings.xml" >"$WORK/sst.tsv" 2>/dev/null

# sheet_xml NAME: the path of the sheet's XML (through the workbook's relationships).
sheet_xml() {
	local rid target
	rid=$(grep -o "<sheet name=\"$1\" sheetId=\"[0-9]*\" r:id=\"[^\"]*\"" "$X/xl/workbook.xml" |
		sed 's/.*r:id="//; s/"$//')
	target=$(grep -o "<Relationship Id=\"$rid\" [^>]*>" "$X/xl/_rels/workbook.xml.rels" |
		sed 's/.*Target="//; s/".*//')
	printf '%s/xl/%s\n' "$X" "$target"
}

# sheet_cells NAME: "ROW<TAB>COL<TAB>TYPE<TAB>VALUE" for each cell with a value;
# TYPE n (number), s (shared string, VALUE its text) or o (other).
sheet_cells() {
	awk -v sst="$WORK/sst.tsv" '
	function colnum(s,   n, i) {
		n = 0
		for (i = 1; i <= length(s); i++)
			n = n * 26 + index("ABCDEFGHIJKLMNOPQRSTUVWXYZ", substr(s, i, 1))
		return n
	}
	BEGIN {
		while ((getline line < sst) > 0) {
			i = index(line, "\t"); str[substr(line, 1, i - 1)] = substr(line, i + 1)
		}
		RS = "<c "
	}
	NR > 1 {
		head = $0; sub(/>.*/, "", head)
		if (!match(head, /r="[A-Z]+[0-9]+"/)) next
		ref = substr(head, RSTART + 3, RLENGTH - 4)
		match(ref, /[0-9]+/); row = substr(ref, RSTART); col = colnum(substr(ref, 1, RSTART - 1))
		if (head ~ /\/$/ || !match($0, /<v>[^<]*<\/v>/)) next
		v = substr($0, RSTART + 3, RLENGTH - 7)
		type = head ~ / t="s"/ ? "s" : head ~ / t="/ ? "o" : "n"
		if (type == "s") v = str[v]
		print row "\t" col "\t" type "\t" v
	}' "$(sheet_xml "$1")"
}

# csv_cells FILE SEP: the same for a CSV file (line 1, the header, is row 2 as
# in the sheet): the header, ".." and text are s, numbers n (a decimal comma
# made a point).
csv_cells() {
	LC_ALL=C awk -v sep="$2" '
	{
		sub(/\r$/, ""); if (NR == 1) sub(/^\357\273\277/, "")
		n = 0; f = ""; q = 0
		for (i = 1; i <= length($0); i++) {
			ch = substr($0, i, 1)
			if (q) {
				if (ch == "\"" && substr($0, i + 1, 1) == "\"") { f = f ch; i++ }
				else if (ch == "\"") q = 0
				else f = f ch
			} else if (ch == "\"") q = 1
			else if (ch == sep) { fld[++n] = f; f = "" }
			else f = f ch
		}
		fld[++n] = f
		for (i = 1; i <= n; i++) {
			if (fld[i] == "") continue
			v = fld[i]
			if (sep == ";" && v ~ /^-?[0-9]+(,[0-9]+)?$/) sub(/,/, ".", v)
			type = NR > 1 && v ~ /^-?[0-9]+(\.[0-9]+)?(e[-+][0-9]+)?$/ ? "n" : "s"
			print NR + 1 "\t" i "\t" type "\t" v
		}
	}' "$1"
}

# The published cells of indicator_value rows, as "ROW|COL|SUPPRESS|VALUE|
# NUMERATOR|WHAT" lines: ROW the sheet row, COL the header text of the column
# or "#N" (column N), VALUE and NUMERATOR '' for NULL.  The layouts are
# rep_build's: rows of districts in code order (then the city), of codes in
# code order (then the total); a column per period, or per code in code
# order, in the latest year.  check_cells verifies each figure shown, so a
# wrong layout here fails loudly rather than passing.
DISTRICTS="d AS (SELECT district, row_number() OVER (ORDER BY district) - 1 AS i
                  FROM (SELECT DISTINCT district FROM indicator_value
                         WHERE indicator = 'persons' AND breakdown = 'district'))"
FIGURE="v.suppress, iif(v.value IS NULL, '', printf('%.17g', v.value)),
	iif(v.numerator IS NULL, '', printf('%.17g', v.numerator))"
# district_period INDICATOR: districts + city x periods
district_period() {
	q "WITH $DISTRICTS
	  SELECT CASE WHEN v.breakdown = 'total' THEN (SELECT count(*) FROM d) ELSE d.i END + 3,
	         v.period, $FIGURE, '$1 ' || coalesce(v.district, 'city') || ' ' || v.period
	    FROM indicator_value v LEFT JOIN d ON d.district = v.district
	   WHERE v.indicator = '$1' AND (v.breakdown = 'total' OR
	         (v.breakdown = 'district' AND d.i IS NOT NULL)) ORDER BY 1, 2;"
}
# code_period INDICATOR FIELD: codes + total x periods
code_period() {
	q "WITH c AS (SELECT code, row_number() OVER (ORDER BY code) - 1 AS j
	                FROM (SELECT DISTINCT $2 AS code FROM indicator_value
	                       WHERE indicator = '$1' AND breakdown = '$2'))
	  SELECT CASE WHEN v.breakdown = 'total' THEN (SELECT count(*) FROM c) ELSE c.j END + 3,
	         v.period, $FIGURE, '$1 ' || coalesce(v.$2, 'total') || ' ' || v.period
	    FROM indicator_value v LEFT JOIN c ON c.code = v.$2
	   WHERE v.indicator = '$1' AND (v.breakdown = 'total' OR
	         (v.breakdown = '$2' AND c.j IS NOT NULL)) ORDER BY 1, 2;"
}
# district_code INDICATOR FIELD: districts + city x codes, latest year
district_code() {
	q "WITH $DISTRICTS, c AS (SELECT code, row_number() OVER (ORDER BY code) - 1 AS j
	                FROM (SELECT DISTINCT $2 AS code FROM indicator_value WHERE indicator = '$1'
	                         AND breakdown = '$2' AND $2 IS NOT NULL))
	  SELECT CASE WHEN v.breakdown = '$2' THEN (SELECT count(*) FROM d) ELSE d.i END + 3,
	         '#' || (c.j + 2), $FIGURE,
	         '$1 ' || coalesce(v.district, 'city') || ' ' || c.code || ' ' || v.period
	    FROM indicator_value v JOIN c ON c.code = v.$2 LEFT JOIN d ON d.district = v.district
	   WHERE v.indicator = '$1' AND v.period = '$latest' AND (v.breakdown = '$2' OR
	         (v.breakdown = 'district $2' AND d.i IS NOT NULL)) ORDER BY 1, 2;"
}
# district_sex: districts x F M U total, latest year
district_sex() {
	q "WITH $DISTRICTS
	  SELECT d.i + 3, '#' || CASE WHEN v.breakdown = 'district' THEN 5
	                             ELSE 1 + instr('FMU', v.sex) END, $FIGURE,
	         'persons ' || v.district || ' ' || coalesce(v.sex, 'total') || ' ' || v.period
	    FROM indicator_value v JOIN d ON d.district = v.district
	   WHERE v.indicator = 'persons' AND v.period = '$latest' AND (v.breakdown = 'district'
	         OR (v.breakdown = 'district sex' AND v.sex IN ('F', 'M', 'U'))) ORDER BY 1, 2;"
}

# check_cells CELLS TOL < EXPECTED: each expected figure against a
# sheet_cells or csv_cells listing.  Suppressed: ".." in the value cell and,
# for tables with intervals, the two after it.  Not suppressed: ".."
# (secondary suppression), or the number (TOL: absolute tolerance, 0 for
# 1e-9 relative); no value: an empty cell or "..".  Prints one line per
# problem, then "checked N, suppressed S".
check_cells() {
	awk -F'|' -v cells="$1" -v tol="$2" '
	function at(r, c) { return (r SUBSEP c) in val ? val[r, c] : "" }
	function shown(r, c) { return (r SUBSEP c) in val ? typ[r, c] ":" val[r, c] : "empty" }
	BEGIN {
		while ((getline line < cells) > 0) {
			split(line, a, "\t")
			val[a[1], a[2]] = a[4]; typ[a[1], a[2]] = a[3]
			if (a[1] == 2 && a[3] == "s") head[a[4]] = a[2]
		}
	}
	$0 != "" {
		row = $1; spec = $2; supp = $3; value = $4; num = $5; what = $6
		n_checked++
		if (spec ~ /^#/) col = substr(spec, 2) + 0
		else if (spec in head) col = head[spec]
		else { print what ": no column " spec; next }
		h = at(2, col); nxt = at(2, col + 1)
		k = nxt == h " nedre" || nxt == h " lower" ? 3 : 1
		if (supp == 1) {
			n_supp++
			for (j = 0; j < k; j++)
				if (typ[row, col + j] != "s" || at(row, col + j) != "..")
					print what ": suppressed (numerator " num "), cell " j " is " \
						shown(row, col + j)
			next
		}
		if (typ[row, col] == "s" && at(row, col) == "..") next
		if (value == "") {
			if ((row SUBSEP col) in val)
				print what ": no value, the cell is " shown(row, col)
			next
		}
		d = at(row, col) - value; if (d < 0) d = -d
		lim = tol > 0 ? tol : 1e-9 * (value < 0 ? -value : value) + 1e-12
		if (typ[row, col] != "n" || d > lim)
			print what ": value " value ", the cell is " shown(row, col)
	}
	END { print "checked " n_checked + 0 ", suppressed " n_supp + 0 }'
}

# ---- sheets -------------------------------------------------------------------
for t in $TABLES; do
	sheet_cells "$t" >"$WORK/$t.cells"
	expect_grep "$t: frozen below the header and right of the labels" \
		'<pane xSplit="1" ySplit="2" topLeftCell="B3" activePane="bottomRight" state="frozen"/>' \
		"$(cat "$(sheet_xml "$t")")"
	expect_eq "$t: no inline strings" "0" \
		"$(grep -c 't="inlineStr"\|t="str"' "$(sheet_xml "$t")")"
done
sheet_cells definitions >"$WORK/definitions.cells"
expect_eq "definitions: a row per table, its id in column A" "$TABLES" \
	"$(awk -F'\t' '$1 > 1 && $2 == 1 && $4 ~ /^[a-z0-9_]+$/ { print $4 }' "$WORK/definitions.cells" |
	   tr '\n' ' ' | sed 's/ $//')"
expect_eq '".." is one shared string' "1" \
	"$(awk -F'\t' '$2 == ".." { n++ } END { print n + 0 }' "$WORK/sst.tsv")"

latest=$(q "SELECT max(period) FROM indicator_value WHERE indicator = 'persons'
            AND breakdown = 'total';")
persons=$(q "SELECT printf('%d', numerator) FROM indicator_value WHERE indicator = 'persons'
             AND breakdown = 'total' AND period = '$latest';")
n_districts=$(q "SELECT count(DISTINCT district) FROM indicator_value
                 WHERE indicator = 'persons' AND breakdown = 'district';")
city_row=$((n_districts + 3))
expect_like "persons city-wide in $latest is a count" "_%" "$persons"
expect_grep "persons_district_year: <v>$persons</v>" "<v>$persons</v>" \
	"$(cat "$(sheet_xml persons_district_year)")"
col=$(awk -F'\t' -v p="$latest" '$1 == 2 && $3 == "s" && $4 == p { print $2 }' \
	"$WORK/persons_district_year.cells")
expect_eq "persons_district_year: the city in $latest (row $city_row) is the number" \
	"n $persons" "$(awk -F'\t' -v r="$city_row" -v c="$col" '$1 == r && $2 == c { print $3, $4 }' \
	"$WORK/persons_district_year.cells")"
for f in "persons_district_year.csv|," "persons_district_year-excel-sv.csv|;"; do
	csv_cells "$R/tables/${f%|*}" "${f#*|}" >"$WORK/csv.cells"
	col=$(awk -F'\t' -v p="$latest" '$1 == 2 && $4 == p { print $2 }' "$WORK/csv.cells")
	expect_eq "${f%|*}: the city in $latest is the number" "n $persons" \
		"$(awk -F'\t' -v r="$city_row" -v c="$col" '$1 == r && $2 == c { print $3, $4 }' \
		"$WORK/csv.cells")"
done

# ---- suppression and figures ----------------------------------------------------
# TABLE:GENERATOR ARGS (generator arguments joined by ",")
CHECKS="persons_district_year:district_period,persons
	rate_district_year:district_period,persons_rate_21
	dsr_district_year:district_period,persons_dsr_21
	women_share_district_year:district_period,women_share
	children_share_district_year:district_period,children_share
	ngo_share_district_year:district_period,ngo_share
	nov1_district_year:district_period,persons_nov1
	cost_per_person_district_year:district_period,cost_per_person
	episode_length_intervention:code_period,episode_length,intervention
	intervention_district:district_code,persons_intervention,intervention
	provider_district:district_code,persons_provider,provider
	persons_district_sex:district_sex"
n_supp=0
for spec in $CHECKS; do
	t=${spec%%:*}
	gen=${spec#*:}
	$(echo "$gen" | tr , ' ') >"$WORK/expected"
	expect_like "$t: figures to check in the database" "_%" "$(head -n 1 "$WORK/expected")"
	res=$(check_cells "$WORK/$t.cells" 0 <"$WORK/expected")
	expect_eq "$t: sheet cells against the database" "" "$(printf '%s\n' "$res" | sed '$d')"
	n_supp=$((n_supp + $(printf '%s\n' "$res" | tail -n 1 | sed 's/.*suppressed //')))
	csv_cells "$R/tables/$t.csv" , >"$WORK/csv.cells"
	res=$(check_cells "$WORK/csv.cells" 0 <"$WORK/expected")
	expect_eq "$t.csv: cells against the database" "" "$(printf '%s\n' "$res" | sed '$d')"
	csv_cells "$R/tables/$t-excel-sv.csv" ';' >"$WORK/csv.cells"
	res=$(check_cells "$WORK/csv.cells" 0.5000001 <"$WORK/expected")
	expect_eq "$t-excel-sv.csv: cells against the database" "" \
		"$(printf '%s\n' "$res" | sed '$d')"
done
# the samples have small groups: the suppression checks are not vacuous
expect_eq "suppressed figures among those checked" "yes" \
	"$([ "$n_supp" -gt 0 ] && echo yes || echo "no ($n_supp)")"

for t in $COUNT_TABLES; do
	expect_eq "$t: no value cell shows a count of 1-4" "" \
		"$(awk -F'\t' '
			$1 == 2 && $3 == "s" && $4 ~ / (nedre|övre)$/ { bound[$2] = 1 }
			$1 > 2 && $2 > 1 && $3 == "n" && !($2 in bound) && $4 >= 1 && $4 <= 4 {
				print "row " $1 " col " $2 ": " $4 }' "$WORK/$t.cells")"
done

# ---- the two CSV flavours -------------------------------------------------------
for t in $TABLES; do
	sv=$R/tables/$t-excel-sv.csv
	plain=$R/tables/$t.csv
	expect_eq "$t-excel-sv.csv starts with a BOM" "EFBBBF" \
		"$(head -c 3 "$sv" | od -An -tx1 | tr -d ' \n' | tr a-f A-F)"
	expect_eq "$t-excel-sv.csv: every line ends in CRLF" "$(wc -l <"$sv")" \
		"$(LC_ALL=C grep -c $'\r$' "$sv")"
	expect_eq "$t.csv: no BOM, no CR" "0" \
		"$( (head -c 3 "$plain" | grep -c $'^\xEF\xBB\xBF'; LC_ALL=C grep -c $'\r' "$plain") |
		   awk '{ s += $1 } END { print s + 0 }')"
	expect_eq "$t: both flavours have the same lines" "$(wc -l <"$plain")" "$(wc -l <"$sv")"
done
finish
