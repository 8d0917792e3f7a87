#!/usr/bin/env bash
# t0700-report-samples.sh - the report stage on the sample exports (after
# ingest, map, dedup and indicators on a copy of input/ and mappings/):
#   - exit 0 and a summary line; a file no source claims is listed with its
#     reason in the report's data-quality section; report-sv.html, report.xlsx and for every
#     table tables/<id>.csv and tables/<id>-excel-sv.csv; --lang en writes
#     report-en.html; no temporary file is left behind; the data-quality
#     table's share without a valid number and persons in several districts
#     per source equal those counted from the episodes, and the rejects
#     table those counted from reject;
#   - the published tables hold the indicator figures: persons city-wide in
#     the latest year in persons_district_year.csv equals the database;
#   - disclosure: every person count of 1-4 that indicator_value marks for
#     suppression is ".." in its CSV cell (persons_district_sex: by district
#     and sex), and no CSV cell anywhere holds a count of 1-4 of a person
#     table; the Swedish flavour has a BOM, semicolons and decimal commas;
#   - without indicators: exit 65; without a database: exit 66; an
#     unwritable output directory: exit 73 and the previous report intact.
. "$(dirname "$0")/lib.sh"
new_fixture
cp -R "$PL_ROOT/input/." "$WORK/input/"
cp -R "$PL_ROOT/mappings/." "$WORK/mappings/"
OUTDIR=$WORK/out

report() { "$PL_BIN/report" -d "$DB" -o "$OUTDIR" "$@"; }

printf 'a;b\n1;2\n' >"$WORK/input/stray-notes.csv"     # no source claims it
expect_ingest 65 -q
expect_map 0 -q --today 2026-01-15
expect_dedup 0 -q
expect_exit 65 report -q
expect_grep "no figures yet: says so" 'report E .*run the indicators stage first' "$(cat "$ERR")"
expect_indicators 0 -q
expect_exit 0 report
expect_grep "summary" 'report I [0-9]+ tables, [0-9]+ cells: [0-9]+ suppressed' "$(cat "$ERR")"
expect_true "report-sv.html" test -s "$OUTDIR/report-sv.html"
expect_true "report.xlsx" test -s "$OUTDIR/report.xlsx"
for id in persons_district_year rate_district_year persons_district_sex intervention_district \
	women_share_district_year children_share_district_year hidden_population_year \
	quality_district quality_rejects equity_year; do
	expect_true "tables/$id.csv" test -s "$OUTDIR/tables/$id.csv"
	expect_true "tables/$id-excel-sv.csv" test -s "$OUTDIR/tables/$id-excel-sv.csv"
done
expect_eq "no temporary files left" "" "$(find "$OUTDIR" -name '*.tmp*' -o -name '.*' -type f)"
expect_eq "the data-quality section lists the file ingest could not process, with its reason" \
	"1" "$(sed -n '/<section id="quality"/,/<\/section>/p' "$OUTDIR/report-sv.html" |
	       grep -c 'stray-notes\.csv</th><td class="text">[^<]*</td><td class="text">[^<][^<]*</td>')"
# The quality table's share without a valid number and persons in several
# districts (from linkage_source, which dedup writes) against the episodes.
expect_eq "quality_district.csv: % without a valid number and persons in several districts" \
	"$(q "SELECT f.source, printf('%.6f', 100.0 * sum(e.id_type = 'NONE') / count(*)),
	             count(DISTINCT CASE WHEN s.n_districts >= 2 THEN ep.person_key END)
	        FROM episode e JOIN episode_person ep USING (file_id, line)
	        JOIN input_file f USING (file_id) JOIN person s USING (person_key)
	       GROUP BY f.source
	      UNION ALL SELECT 'Total', printf('%.6f', 100.0 * sum(e.id_type = 'NONE') / count(*)),
	             (SELECT count(*) FROM person WHERE n_districts >= 2) FROM episode e;")" \
	"$(awk -F, 'NR > 1 { printf "%s|%.6f|%s\n", $1, $8, $9 }' "$OUTDIR/tables/quality_district.csv")"
expect_eq "quality_rejects.csv: rejects by reason and source, and in total" \
	"$(q "WITH r AS (SELECT DISTINCT stage || ':' || code AS k FROM reject),
	           s AS (SELECT DISTINCT source FROM input_file WHERE source IS NOT NULL)
	      SELECT (SELECT group_concat(n, ',') FROM (SELECT (SELECT count(*) FROM reject j
	                JOIN input_file i USING (file_id)
	               WHERE j.stage || ':' || j.code = r.k AND i.source = s.source) AS n
	                FROM s ORDER BY s.source))
	             || ',' || (SELECT count(*) FROM reject j WHERE j.stage || ':' || j.code = r.k)
	        FROM r ORDER BY r.k;")" \
	"$(tail -n +2 "$OUTDIR/tables/quality_rejects.csv" | cut -d, -f2-)"
expect_exit 0 report -q --lang en
expect_true "report-en.html" test -s "$OUTDIR/report-en.html"

latest=$(q "SELECT max(period) FROM indicator_value WHERE indicator = 'persons';")
city=$(q "SELECT numerator FROM indicator_value WHERE indicator = 'persons' AND period = '$latest'
          AND breakdown = 'total';")
# the column of the latest year in the plain CSV, the row of the city
col=$(head -1 "$OUTDIR/tables/persons_district_year.csv" | tr ',' '\n' | grep -n -x "$latest" | cut -d: -f1)
expect_eq "persons city-wide $latest in persons_district_year.csv" "$city" \
	"$(awk -F, -v c="$col" 'NR > 1 { v = $c } END { print v }' "$OUTDIR/tables/persons_district_year.csv")"

# Thin Lundby out to a handful of persons (the samples' latest year has no
# small counts in the tables by sex), then link and compute again.
q "DELETE FROM episode WHERE district = 'LUNDBY' AND line % 40 != 0;" >/dev/null
expect_dedup 0 -q
expect_indicators 0 -q
expect_exit 0 report
# exit 0 means the audit, which solves the sum equations of every published
# table, found no suppressed value derivable; the secondary suppression it
# checked was real:
expect_grep "primary and secondary suppressions on the thinned data" \
	'report I .* suppressed \([1-9][0-9]* primary, [1-9][0-9]* secondary\)' "$(cat "$ERR")"
expect_eq "Lundby has few persons now" "1" \
	"$(q "SELECT numerator < 10 FROM indicator_value WHERE indicator = 'persons' AND breakdown = 'district'
	      AND district = 'LUNDBY' AND period = '$latest';")"

# every count the indicators stage marks for suppression is '..' in
# persons_district_sex.csv: rows are the districts in code order, columns
# the row label, then F, M, U, total
sexcsv=$OUTDIR/tables/persons_district_sex.csv
districts=$(q "SELECT DISTINCT district FROM indicator_value WHERE indicator = 'persons'
               AND breakdown = 'district' ORDER BY district;")
n_checked=0
while IFS='|' read -r district sex; do
	row=$(echo "$districts" | grep -n -x "$district" | cut -d: -f1)
	col=$(case $sex in F) echo 2 ;; M) echo 3 ;; *) echo 4 ;; esac)
	expect_eq "persons $latest $district $sex is '..' in persons_district_sex.csv" ".." \
		"$(awk -F, -v r="$((row + 1))" -v c="$col" 'NR == r { print $c }' "$sexcsv")"
	n_checked=$((n_checked + 1))
done < <(q "SELECT district, sex FROM indicator_value WHERE indicator = 'persons'
            AND period = '$latest' AND breakdown = 'district sex' AND suppress = 1;")
expect_eq "cells checked (the samples have small counts by sex)" "1" "$((n_checked > 0))"
expect_eq "no count of 1-4 in any person table's CSV" "" \
	"$(for f in persons_district_year persons_district_sex intervention_district provider_district \
		nov1_district_year multi_district_year; do
		awk -F, -v f="$f" 'NR > 1 { for (i = 2; i <= NF; i++) if ($i ~ /^[1-4]$/) print f ": " $0 }' \
			"$OUTDIR/tables/$f.csv"
	done)"
expect_eq "suppressed cells are '..' (some exist in the samples)" "1" \
	"$(grep -c -F '..' "$OUTDIR/tables/intervention_district.csv" "$OUTDIR/tables/persons_district_sex.csv" \
		| awk -F: '{ s += $2 } END { print (s > 0) }')"
expect_eq "Swedish flavour: BOM and semicolons" "efbbbf" \
	"$(head -c 3 "$OUTDIR/tables/rate_district_year-excel-sv.csv" | od -An -tx1 | tr -d ' \n')"
expect_grep "Swedish flavour: decimal comma" ';[0-9]+,[0-9]' "$(cat "$OUTDIR/tables/rate_district_year-excel-sv.csv")"

# temporary files a killed run left: removed when older than an hour
touch -d '2 hours ago' "$OUTDIR/report-sv.html.tmp-AbC123" "$OUTDIR/tables/.rate_district_year.csv.tmp.XyZ987"
touch "$OUTDIR/.report.xlsx.tmp.new123"
expect_exit 0 report -q
expect_eq "old temporary files removed, a fresh one (a run writing now) kept" \
	".report.xlsx.tmp.new123" "$(cd "$OUTDIR" && find . -name '*tmp*' | sed 's|.*/||')"
rm -f "$OUTDIR/.report.xlsx.tmp.new123"

# failures
expect_exit 66 "$PL_BIN/report" -d "$WORK/none.db" -o "$OUTDIR" -q
before=$(sha256sum "$OUTDIR/report-sv.html")
chmod 0555 "$OUTDIR"
if [ "$(id -u)" = 0 ]; then
	# root writes anyway: make the output path a file instead
	chmod 0755 "$OUTDIR"
	expect_exit 73 "$PL_BIN/report" -d "$DB" -o "$OUTDIR/report-sv.html/sub" -q
else
	expect_exit 73 report -q
	chmod 0755 "$OUTDIR"
fi
expect_eq "the previous report is intact" "$before" "$(sha256sum "$OUTDIR/report-sv.html")"
finish
