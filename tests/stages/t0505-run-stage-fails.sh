#!/usr/bin/env bash
# t0505-run-stage-fails.sh - guards how the driver stops at a stage's hard
# error:
# - broken linkage settings: dedup exits 78, so does the run; what ingest and
#   map committed stays (every file mapped), no person is made, indicators
#   and report do not run; with -q stderr holds dedup's errors and one
#   summary line naming dedup and 78; once the settings are fixed the next
#   run runs dedup (it is not skipped), indicators and report;
# - a broken indicator catalogue: indicators exits 78 naming the catalogue's
#   file and line, so does the run (again on the next run: not skipped);
#   the indicator tables of the last good run stay as they were; put back
#   as it was, nothing is computed again; fixed otherwise, the next run runs
#   indicators but not dedup;
# - a mapping file with a syntax error: ingest exits 78, map, dedup and
#   indicators do not run;
# - with fake stages (--bin): each hard code of map (64 66 70 73 74 75 78)
#   is the run's code and dedup and indicators do not run; an unknown code,
#   or a stage killed by a signal, is 70; 65 from ingest goes on through the
#   later stages and the run exits 65; a failing dedup's, indicators' or
#   report's code is the run's (65 from indicators and report too: they
#   computed or published nothing);
# - the real stages with a report that fails (a fake one exiting 70): the run
#   stops with 70 naming report, the work of the four stages before it is
#   kept (their stage_run rows, the persons and figures, run.state), no
#   report file is made; the real report then runs alone, not skipped.
. "$(dirname "$0")/lib.sh"
new_fixture
samples_fixture

cp "$LINKAGE" "$WORK/linkage.good"
sed -i 's/^threshold *=.*/threshold = high/' "$LINKAGE"
expect_run 78 -q
expect_eq "-q: all but the last line on stderr are dedup's errors" "" \
	"$(sed '$d' "$ERR" | grep -v -E '^[0-9T:-]+Z dedup E ')"
expect_grep "dedup names the line" "Z dedup E .*linkage\\.ini:[0-9]+: .*'high'" "$(cat "$ERR")"
expect_grep "summary names dedup and 78" \
	'Z run E dedup failed: exit 78 \(configuration error\); the work of ingest and map is kept; indicators and report not run; [0-9.]+ s; log ' \
	"$(tail -n 1 "$ERR")"
expect_eq "indicators not run" 0 "$(n_runs indicators)"
expect_true "report not run" test ! -e "$WORK/output/report-sv.html"
expect_eq "every file mapped and kept" "7|2973" \
	"$(q 'SELECT count(*), sum(rows_kept) FROM mapped_file;')"
expect_eq "no persons" 0 "$(q 'SELECT count(*) FROM person;')"
expect_eq "run recorded with 78" 78 \
	"$(q "SELECT exit_code FROM stage_run WHERE stage = 'run' ORDER BY run_id DESC LIMIT 1;")"
expect_true "no run.state after a failed dedup" test ! -e "$WORK/output/run.state"

cp "$WORK/linkage.good" "$LINKAGE"
expect_run 0 -q
expect_like "fixed: dedup, indicators and report run" '0 files ingested, 7 unchanged; 0 files mapped; dedup: 2973 episodes, % persons; indicators: % indicators over % persons, 2973 episodes; report: % tables, % cells;%' \
	"$(last_summary run)"
expect_true "fixed: the report written" test -s "$WORK/output/report-sv.html"
expect_eq "fixed: every episode has a person" 2973 "$(q 'SELECT count(*) FROM episode_person;')"
expect_eq "fixed: indicators ran once, exit 0" "1|0" \
	"$(q "SELECT count(*), max(exit_code) FROM stage_run WHERE stage = 'indicators';")"

# A broken indicator catalogue: an unknown method on its first method line.
CAT=$WORK/mappings/indicators/indicators.ini
cp "$CAT" "$WORK/catalogue.good"
figures=$(indicator_tables)
expect_true "indicator values there before" test "$(q 'SELECT count(*) FROM indicator_value;')" -gt 0
n_dedup=$(n_runs dedup)
n_ind=$(n_runs indicators)
line=$(grep -n -m 1 -E '^method *=' "$CAT" | cut -d: -f1)
sed -i "${line}s/.*/method = sometimes/" "$CAT"
expect_run 78 -q
expect_grep "indicators names the catalogue's line" \
	"^[0-9T:-]+Z indicators E .*/mappings/indicators/indicators\\.ini:$line: unknown method 'sometimes'" \
	"$(cat "$ERR")"
expect_eq "-q: all but the last line on stderr are indicators' errors" "" \
	"$(sed '$d' "$ERR" | grep -v -E '^[0-9T:-]+Z indicators E ')"
expect_grep "summary names indicators and 78" \
	'Z run E indicators failed: exit 78 \(configuration error\); the work of ingest and map is kept; dedup skipped; report not run; [0-9.]+ s; log ' \
	"$(tail -n 1 "$ERR")"
expect_eq "broken catalogue: run recorded with 78" 78 \
	"$(q "SELECT exit_code FROM stage_run WHERE stage = 'run' ORDER BY run_id DESC LIMIT 1;")"
expect_eq "broken catalogue: dedup not run" "$n_dedup" "$(n_runs dedup)"
expect_eq "broken catalogue: no successful indicators run" "$n_ind" \
	"$(q "SELECT count(*) FROM stage_run WHERE stage = 'indicators' AND exit_code = 0;")"
expect_eq "broken catalogue: the indicator tables intact" "$figures" "$(indicator_tables)"
expect_run 78 -q
expect_grep "broken catalogue, again: not skipped" 'Z run E indicators failed: exit 78 ' \
	"$(tail -n 1 "$ERR")"
# Put back as it was at the last good run: the failed runs changed nothing,
# so there is nothing to compute again.
cp "$WORK/catalogue.good" "$CAT"
expect_run 0 -q
expect_like "catalogue put back: nothing new" \
	'nothing new: 7 files unchanged, dedup, indicators and report skipped;%' "$(last_summary run)"
expect_eq "catalogue put back: no indicators run" "$n_ind" \
	"$(q "SELECT count(*) FROM stage_run WHERE stage = 'indicators' AND exit_code = 0;")"
# Fixed otherwise (a comment more): indicators runs, dedup does not.
printf '; fixed\n' >>"$CAT"
expect_run 0 -q
expect_like "catalogue fixed: indicators runs, dedup does not" '0 files ingested, 7 unchanged; 0 files mapped; dedup skipped (nothing it reads changed); indicators: %' \
	"$(last_summary run)"
expect_eq "catalogue fixed: one more successful indicators run" "$((n_ind + 1))" \
	"$(q "SELECT count(*) FROM stage_run WHERE stage = 'indicators' AND exit_code = 0;")"
expect_eq "catalogue fixed: dedup not run" "$n_dedup" "$(n_runs dedup)"
expect_eq "catalogue fixed: the same figures" "$figures" "$(indicator_tables)"

# A mapping file ingest cannot read.
n_map=$(n_runs map)
n_dedup=$(n_runs dedup)
n_ind=$(n_runs indicators)
printf 'this line is not INI\n' >>"$WORK/mappings/ostra.ini"
expect_run 78 -q
expect_grep "ingest names the mapping file's line" 'Z ingest E .*ostra\.ini:[0-9]+: ' "$(cat "$ERR")"
expect_grep "summary: map, dedup and indicators not run" \
	'Z run E ingest failed: exit 78 \(configuration error\); map, dedup, indicators and report not run; ' \
	"$(tail -n 1 "$ERR")"
expect_eq "map, dedup and indicators did not run" "$n_map $n_dedup $n_ind" \
	"$(n_runs map) $(n_runs dedup) $(n_runs indicators)"

# Fake stages: the run's code from each stage's.
fake=$WORK/fake
fake_stages "$fake"
for code in 64 66 70 73 74 75 78; do
	rm -f "$fake/ran"
	FAKE_MAP=$code expect_run "$code" -q --bin "$fake"
	expect_eq "map exits $code: stages run" "ingest map" "$(tr '\n' ' ' <"$fake/ran" | sed 's/ $//')"
	expect_grep "map exits $code: summary" "Z run E map failed: exit $code \\(.*\\); the work of ingest is kept; dedup, indicators and report not run; " \
		"$(tail -n 1 "$ERR")"
	expect_grep "map exits $code: its error passed on" "Z map E fake $code" "$(cat "$ERR")"
done
rm -f "$fake/ran"
FAKE_MAP=3 expect_run 70 -q --bin "$fake"
expect_grep "unknown code 3: 70" 'Z run E map failed: exit 70 \(internal error\)' "$(tail -n 1 "$ERR")"
rm -f "$fake/ran"
FAKE_INGEST=kill expect_run 70 -q --bin "$fake"
expect_eq "ingest killed: nothing after it" ingest "$(cat "$fake/ran")"
expect_grep "ingest killed: summary" 'Z run E ingest was killed by signal 9: exit 70; map, dedup, indicators and report not run; ' \
	"$(tail -n 1 "$ERR")"
rm -f "$fake/ran"
FAKE_INGEST=65 expect_run 65 -q --bin "$fake"
expect_eq "ingest 65: map, dedup, indicators and report run" "ingest map dedup indicators report" \
	"$(tr '\n' ' ' <"$fake/ran" | sed 's/ $//')"
expect_grep "ingest 65: summary" 'Z run E exit 65: ' "$(tail -n 1 "$ERR")"
rm -f "$fake/ran" "$WORK/output/run.state"
FAKE_DEDUP=75 expect_run 75 -q --bin "$fake"
expect_grep "dedup 75: summary" \
	'Z run E dedup failed: exit 75 \(temporary failure\); the work of ingest and map is kept; indicators and report not run; ' \
	"$(tail -n 1 "$ERR")"
for code in 65 75 78; do
	rm -f "$fake/ran" "$WORK/output/run.state"
	FAKE_INDICATORS=$code expect_run "$code" -q --bin "$fake"
	expect_eq "indicators exits $code: stages run" "ingest map dedup indicators" \
		"$(tr '\n' ' ' <"$fake/ran" | sed 's/ $//')"
	expect_grep "indicators exits $code: summary" \
		"Z run E indicators failed: exit $code \\(.*\\); the work of ingest, map and dedup is kept; report not run; [0-9.]+ s; log " \
		"$(tail -n 1 "$ERR")"
	expect_grep "indicators exits $code: its error passed on" "Z indicators E fake $code" "$(cat "$ERR")"
done
rm -f "$fake/ran"
FAKE_INDICATORS=kill expect_run 70 -q --bin "$fake"
expect_grep "indicators killed: summary" \
	'Z run E indicators was killed by signal 9: exit 70; the work of ingest and map is kept; dedup skipped; report not run; ' \
	"$(tail -n 1 "$ERR")"
for code in 65 70 73 78; do
	rm -f "$fake/ran" "$WORK/output/run.state"
	FAKE_REPORT=$code expect_run "$code" -q --bin "$fake"
	expect_eq "report exits $code: stages run" "ingest map dedup indicators report" \
		"$(tr '\n' ' ' <"$fake/ran" | sed 's/ $//')"
	expect_grep "report exits $code: summary" \
		"Z run E report failed: exit $code \\(.*\\); the work of ingest, map, dedup and indicators is kept; [0-9.]+ s; log " \
		"$(tail -n 1 "$ERR")"
	expect_grep "report exits $code: its error passed on" "Z report E fake $code" "$(cat "$ERR")"
done
rm -f "$fake/ran" "$WORK/output/run.state"
FAKE_REPORT=kill expect_run 70 -q --bin "$fake"
expect_grep "report killed: summary" \
	'Z run E report was killed by signal 9: exit 70; the work of ingest, map, dedup and indicators is kept; [0-9.]+ s; log ' \
	"$(tail -n 1 "$ERR")"

# The real stages, and a report that fails: a fresh database, the mapping
# file as it was.
cp "$PL_ROOT/mappings/ostra.ini" "$WORK/mappings/ostra.ini"
mixed=$WORK/mixed
mkdir -p "$mixed"
for s in ingest map dedup indicators; do ln -s "$PL_BIN/$s" "$mixed/$s"; done
cp "$fake/report" "$mixed/report"
rm -rf "$WORK/output"
FAKE_REPORT=70 expect_run 70 -q --bin "$mixed"
expect_grep "report fails: summary" \
	'Z run E report failed: exit 70 \(internal error\); the work of ingest, map, dedup and indicators is kept; [0-9.]+ s; log ' \
	"$(tail -n 1 "$ERR")"
expect_eq "report fails: -q: its error and the summary only" "2" "$(wc -l <"$ERR")"
expect_eq "report fails: the four stages' runs kept, exit 0" "ingest=0 map=0 dedup=0 indicators=0 run=70" \
	"$(q "SELECT group_concat(stage || '=' || exit_code, ' ') FROM (SELECT * FROM stage_run ORDER BY run_id);")"
expect_eq "report fails: every episode has a person" 2973 "$(q 'SELECT count(*) FROM episode_person;')"
expect_true "report fails: the figures kept" test "$(q 'SELECT count(*) FROM indicator_value;')" -gt 0
expect_eq "report fails: run.state has dedup and indicators, not report" \
	"dedup_inputs dedup_run_id indicators_inputs indicators_run_id" \
	"$(grep -v '^#' "$WORK/output/run.state" | cut -d' ' -f1 | tr '\n' ' ' | sed 's/ $//')"
expect_true "report fails: no report file" \
	test ! -e "$WORK/output/report-sv.html" -a ! -e "$WORK/output/report.xlsx"
figures=$(pipeline_tables; indicator_tables)
expect_run 0 -q
expect_like "the real report: it runs alone" '0 files ingested, 7 unchanged; 0 files mapped; dedup skipped (nothing it reads changed); indicators skipped (nothing it reads changed); report: % tables, % cells;%' \
	"$(last_summary run)"
expect_true "the real report: its files" test -s "$WORK/output/report-sv.html" -a -s "$WORK/output/report.xlsx"
expect_eq "the real report: the tables as they were" "$figures" "$(pipeline_tables; indicator_tables)"
finish
