#!/usr/bin/env bash
# t0720-report-browser.sh - the HTML report of the sample exports (after
# ingest, map, dedup and indicators on a copy of input/ and mappings/) as
# headless Chromium builds and draws it.  Fails, never skips, without
# Chromium (tools/deps.sh installs it).
#   - the DOM (chromium --dump-dom, no script needed) checked by
#     tools/browser-check.py: nothing loaded from elsewhere; every chart an
#     image with a name and marks of its kind, all four kinds present; every
#     table with a caption and scoped headers;
#   - disclosure: every indicator_value row marked suppress = 1 whose figure
#     is published (mapped here from indicator and breakdown to table, row
#     and column) is ".." in exactly its cell, without its numerator, and
#     no chart draws it; checked on the samples and again after Lundby is
#     thinned out to a few persons, so that the charted tables (persons,
#     rates, shares, funnel) have suppressed cells; the checker itself
#     must fail on a copy of the DOM with one such cell written out;
#   - both languages; the first screen as a PNG over 10 kB
#     (tools/screenshot.sh), and printing to PDF works.
. "$(dirname "$0")/lib.sh"
new_fixture
cp -R "$PL_ROOT/input/." "$WORK/input/"
cp -R "$PL_ROOT/mappings/." "$WORK/mappings/"
OUTDIR=$WORK/out
CHECK=$PL_ROOT/tools/browser-check.py

n_checks=$((n_checks + 1))
CHROMIUM=$(command -v chromium || command -v chromium-browser)
if [ -z "$CHROMIUM" ]; then
	fail "chromium is installed" "no chromium in PATH: run 'make deps' as root" \
		"(tools/deps.sh installs the Debian package chromium)"
	finish
fi
n_checks=$((n_checks + 1))
if [ ! -x "$PL_BIN/report" ]; then
	fail "binary $PL_BIN/report exists" "not found or not executable (run make)"
	finish
fi

report() { "$PL_BIN/report" -d "$DB" -o "$OUTDIR" "$@"; }

# dom HTML OUT: the DOM of HTML as headless Chromium builds it.
dom() {
	timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
		--no-first-run --user-data-dir="$WORK/chromium-profile" \
		--dump-dom "file://$1" >"$2" 2>"$WORK/chromium.log"
}

# suppressed: TABLE<TAB>ROW<TAB>COLUMN<TAB>NUMERATOR for every figure the
# database marks for suppression that a published table holds (see
# report.h, rep_build: districts + "total" x periods; by sex, intervention
# and provider in the latest year; episode length by intervention).
suppressed() {
	q "WITH latest AS (SELECT max(period) AS y FROM indicator_value
	                    WHERE indicator = 'persons' AND breakdown = 'total'),
	   by_year(indicator, tbl) AS (VALUES ('persons', 'persons_district_year'),
	        ('persons_rate_21', 'rate_district_year'), ('persons_dsr_21', 'dsr_district_year'),
	        ('women_share', 'women_share_district_year'),
	        ('children_share', 'children_share_district_year'),
	        ('ngo_share', 'ngo_share_district_year'), ('persons_nov1', 'nov1_district_year'),
	        ('cost_per_person', 'cost_per_person_district_year'))
	   SELECT tbl, CASE breakdown WHEN 'total' THEN 'total' ELSE district END, period, numerator
	     FROM indicator_value JOIN by_year USING (indicator)
	    WHERE suppress = 1 AND breakdown IN ('district', 'total')
	   UNION ALL
	   SELECT 'persons_district_sex', district, sex, numerator FROM indicator_value, latest
	    WHERE indicator = 'persons' AND breakdown = 'district sex' AND period = latest.y
	      AND sex IN ('F', 'M', 'U') AND suppress = 1
	   UNION ALL
	   SELECT 'intervention_district', coalesce(district, 'total'), intervention, numerator
	     FROM indicator_value, latest WHERE indicator = 'persons_intervention'
	      AND breakdown IN ('district intervention', 'intervention') AND period = latest.y
	      AND suppress = 1
	   UNION ALL
	   SELECT 'provider_district', coalesce(district, 'total'), provider, numerator
	     FROM indicator_value, latest WHERE indicator = 'persons_provider'
	      AND breakdown IN ('district provider', 'provider') AND period = latest.y
	      AND suppress = 1
	   UNION ALL
	   SELECT 'episode_length_intervention', coalesce(intervention, 'total'), period, numerator
	     FROM indicator_value WHERE indicator = 'episode_length'
	      AND breakdown IN ('intervention', 'total') AND suppress = 1
	   UNION ALL
	   SELECT 'multi_district_year', 'total', period, numerator FROM indicator_value
	    WHERE indicator = 'multi_district' AND breakdown = 'total' AND suppress = 1
	   UNION ALL
	   SELECT 'hidden_population_year', 'seen', period, numerator FROM indicator_value
	    WHERE indicator = 'persons' AND breakdown = 'total' AND suppress = 1
	   ORDER BY 1, 2, 3;" | tr '|' '\t'
}

# check_report LANG WHAT: the DOM of report-LANG.html against the database.
check_report() {
	local lang=$1 what=$2 html=$OUTDIR/report-$1.html
	expect_true "$what: report-$lang.html written" test -s "$html"
	expect_true "$what: chromium --dump-dom of report-$lang.html" dom "$html" "$WORK/dom-$lang.html"
	expect_grep "$what: the DOM is the whole report" '</html>' "$(tail -c 200 "$WORK/dom-$lang.html")"
	suppressed >"$WORK/suppressed.tsv"
	expect_exit 0 python3 "$CHECK" "$WORK/dom-$lang.html" "$WORK/suppressed.tsv" \
		--charts bars,funnel,trend,stack
	[ "$RC" == 0 ] || sed 's/^/    /' "$OUT"
	n_supp=$(grep -c . "$WORK/suppressed.tsv")
	expect_grep "$what: every suppressed figure checked" \
		"browser-check: [0-9]+ charts \(bars,funnel,stack,trend\), [0-9]+ tables, $n_supp suppressed cells checked, 0 failures" \
		"$(cat "$OUT")"
}

expect_ingest 0 -q
expect_map 0 -q --today 2026-01-15
expect_dedup 0 -q
expect_indicators 0 -q
expect_exit 0 report -q
expect_exit 0 report -q --lang en
check_report sv "samples"
expect_eq "samples: suppressed figures to look for (episode lengths of 2023)" "1" \
	"$(( $(grep -c . "$WORK/suppressed.tsv") >= 2 ))"
check_report en "samples, English"
expect_grep "samples, English: in English" '<html lang="en">' "$(head -c 300 "$WORK/dom-en.html")"

# the first screen, and printing
expect_exit 0 sh "$PL_ROOT/tools/screenshot.sh" "$OUTDIR/report-sv.html" "$WORK/report-first-screen.png"
expect_eq "screenshot: a PNG" "89504e47" "$(head -c 4 "$WORK/report-first-screen.png" | od -An -tx1 | tr -d ' \n')"
expect_eq "screenshot: over 10 kB" "1" "$(( $(stat -c %s "$WORK/report-first-screen.png" 2>/dev/null || echo 0) > 10240 ))"
expect_exit 0 timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
	--no-first-run --user-data-dir="$WORK/chromium-profile" --no-pdf-header-footer \
	--print-to-pdf="$WORK/report.pdf" "file://$OUTDIR/report-sv.html"
expect_eq "print to PDF: a PDF over 50 kB" "%PDF 1" \
	"$(head -c 4 "$WORK/report.pdf") $(( $(stat -c %s "$WORK/report.pdf" 2>/dev/null || echo 0) > 51200 ))"
expect_exit 1 sh -c "PATH=/nonexistent; CHROMIUM= /bin/sh '$PL_ROOT/tools/screenshot.sh' '$OUTDIR/report-sv.html' '$WORK/x.png'"
expect_grep "screenshot without chromium: says so" "chromium not found" "$(cat "$ERR")"

# the checker is able to fail: one suppressed cell written out
first=$(head -n 1 "$WORK/suppressed.tsv")
IFS=$'\t' read -r s_table s_row s_col s_num <<<"$first"
python3 - "$WORK/dom-sv.html" "$WORK/dom-leak.html" "$s_table" "$s_row" "$s_col" "$s_num" <<'PY'
import sys
src, dst, table, row, col, num = sys.argv[1:7]
s = open(src, encoding="utf-8").read()
i = s.index('data-table="%s"' % table)
i = s.index('data-row="%s"' % row, i)
i = s.index('data-col="%s"' % col, i)
i = s.index(">..<", i)
open(dst, "w", encoding="utf-8").write(s[:i] + ">" + num + "<" + s[i + 4:])
PY
expect_exit 1 python3 "$CHECK" "$WORK/dom-leak.html" "$WORK/suppressed.tsv"
expect_grep "checker: finds the written-out cell" "FAIL: $s_table row $s_row column $s_col .*not '\.\.'" \
	"$(cat "$OUT")"

# Thin Lundby out to a few persons in every year: its figures in the
# charted tables are now suppressed, and must be neither shown nor drawn.
q "DELETE FROM episode WHERE district = 'LUNDBY' AND line % 80 != 0;" >/dev/null
expect_dedup 0 -q
expect_indicators 0 -q
expect_exit 0 report -q
latest=$(q "SELECT max(period) FROM indicator_value WHERE indicator = 'persons' AND breakdown = 'total';")
check_report sv "Lundby thinned out"
for t in persons_district_year rate_district_year children_share_district_year; do
	expect_eq "Lundby thinned out: $t LUNDBY $latest is among the suppressed" "1" \
		"$(grep -c -P "^$t\tLUNDBY\t$latest\t" "$WORK/suppressed.tsv")"
done
expect_eq "Lundby thinned out: no chart mark of Lundby in $latest" "" \
	"$(grep -o "data-row=\"LUNDBY\" data-col=\"$latest\"" "$WORK/dom-sv.html")"
expect_grep "Lundby thinned out: its bar is '..'" "<text class=\"val na\" x=\"[0-9]+\" y=\"[0-9]+\">\.\.</text>" \
	"$(cat "$WORK/dom-sv.html")"
finish
