#!/usr/bin/env bash
# t0501-run-samples.sh - guards the driver on the repository's samples:
# - a full run exits 0, silent with -q, and leaves exactly the tables that
#   ingest, map, dedup and indicators run by hand make (same data, same key),
#   the indicator tables filled, and the report beside the database
#   (report-sv.html, report.xlsx, tables/*.csv: the CSV tables those of
#   report run by hand);
# - it is recorded in stage_run (stage 'run') after one row of each stage
#   but report (which writes none), and its log holds every stage's lines
#   and its own, all in the log format;
# - a second run says "nothing new", ingests and maps nothing (the stages'
#   stage_run summaries) and runs neither dedup nor indicators nor report
#   (no new rows, the report's files untouched; the log says they were
#   skipped); without -q it prints that summary on stderr;
# - nothing in input/ changes (names, sizes, times, modes, content).
. "$(dirname "$0")/lib.sh"
new_fixture
samples_fixture
before=$(input_state)

expect_run 0 -q
expect_eq "stages run, in order" "ingest map dedup indicators run" \
	"$(q "SELECT group_concat(stage, ' ') FROM (SELECT stage FROM stage_run ORDER BY run_id);")"
expect_eq "stage exit codes" "0 0 0 0 0" \
	"$(q "SELECT group_concat(exit_code, ' ') FROM (SELECT exit_code FROM stage_run ORDER BY run_id);")"
expect_like "run summary" '7 files ingested, 0 unchanged; 7 files mapped; dedup: % episodes, % persons; indicators: % indicators over % persons, 2973 episodes; report: % tables, % cells; % s' \
	"$(last_summary run)"
for f in report-sv.html report.xlsx tables/persons_district_year.csv; do
	expect_true "the report wrote output/$f" test -s "$WORK/output/$f"
done
expect_true "the report is in Swedish" grep -q '^<html lang="sv">' "$WORK/output/report-sv.html"
expect_true "no English report" test ! -e "$WORK/output/report-en.html"
expect_eq "episodes" 2973 "$(q 'SELECT count(*) FROM episode;')"
expect_true "persons made" test "$(q 'SELECT count(*) FROM person;')" -gt 1000
expect_true "indicators computed" test "$(q 'SELECT count(*) FROM indicator;')" -gt 0
expect_true "indicator values made" test "$(q 'SELECT count(*) FROM indicator_value;')" -gt 0
expect_true "indicator values with a value" \
	test "$(q 'SELECT count(*) FROM indicator_value WHERE value IS NOT NULL;')" -gt 0
expect_eq "indicators over the persons dedup made" \
	"$(q 'SELECT count(*) FROM person;') persons" \
	"$(last_summary indicators | sed -n 's/^[0-9]* indicators over \([0-9]* persons\),.*/\1/p')"

# The same by hand, into another database with the same key.
HAND=$WORK/hand/pipeline.db
expect_exit 0 "$PL_BIN/ingest" -q -i "$WORK/input" -m "$WORK/mappings" -d "$HAND" -k "$KEY"
expect_exit 0 "$PL_BIN/map" -q -m "$WORK/mappings" -d "$HAND" -k "$KEY"
expect_exit 0 "$PL_BIN/dedup" -q -c "$LINKAGE" -d "$HAND" -k "$KEY"
expect_exit 0 "$PL_BIN/indicators" -q -c "$WORK/mappings/indicators/indicators.ini" \
	-p "$WORK/mappings/population/population.csv" -d "$HAND"
expect_exit 0 "$PL_BIN/report" -q -d "$HAND" -o "$WORK/hand"
by_run=$(pipeline_tables "$DB"; indicator_tables "$DB"; report_csv "$WORK/output")
by_hand=$(pipeline_tables "$HAND"; indicator_tables "$HAND"; report_csv "$WORK/hand")
expect_true "the report's CSV tables are not empty" \
	test "$(report_csv | grep -c '^== .*\.csv$')" -gt 10
expect_true "the tables are not empty" test "$(printf '%s\n' "$by_run" | wc -l)" -gt 10000
expect_true "the indicator tables are not empty" test "$(indicator_tables | wc -l)" -gt 100
expect_same "run's tables and CSV files equal those of the five stages by hand" \
	"$by_hand" "$by_run"

log=$(last_log)
expect_true "a run log was written" test -s "$log"
expect_like "log name" '%/output/logs/run-________T______Z.log' "$log"
expect_eq "log lines not in the log format" "" "$(grep -a -v -E -e "$RUN_LOG_ERE" "$log")"
for s in run ingest map dedup indicators report; do
	expect_grep "the log holds $s's lines" "Z $s I " "$(cat "$log")"
done
expect_grep "the log holds ingest's warnings" 'Z ingest W angered\.csv:67: ' "$(cat "$log")"
expect_grep "the log ends with the summary" 'Z run I 7 files ingested' "$(tail -n 1 "$log")"
expect_true "run.state written" test -s "$WORK/output/run.state"

# A second run: nothing new.
n_dedup=$(n_runs dedup)
n_ind=$(n_runs indicators)
t_html=$(mtime "$WORK/output/report-sv.html")
t_xlsx=$(mtime "$WORK/output/report.xlsx")
t_csv=$(mtime "$WORK/output/tables/persons_district_year.csv")
sleep 0.05 # a rewrite would show in the times
expect_eq "one indicators run, exit 0" "1|0" \
	"$(q "SELECT count(*), max(exit_code) FROM stage_run WHERE stage = 'indicators';")"
expect_run 0
expect_grep "second run says nothing new" \
	'Z run I nothing new: 7 files unchanged, dedup, indicators and report skipped; [0-9.]+ s$' "$(tail -n 1 "$ERR")"
expect_grep "second run says dedup was skipped" 'Z run I dedup: skipped' "$(cat "$ERR")"
expect_grep "second run says indicators was skipped" 'Z run I indicators: skipped' "$(cat "$ERR")"
expect_grep "second run says report was skipped" 'Z run I report: skipped' "$(cat "$ERR")"
expect_eq "second run: report said nothing" "" "$(grep -E 'Z report ' "$ERR")"
expect_eq "second run: report-sv.html not written again" "$t_html" \
	"$(mtime "$WORK/output/report-sv.html")"
expect_eq "second run: report.xlsx not written again" "$t_xlsx" "$(mtime "$WORK/output/report.xlsx")"
expect_eq "second run: the CSV tables not written again" "$t_csv" \
	"$(mtime "$WORK/output/tables/persons_district_year.csv")"
expect_like "ingest ingested nothing" '7 files: 0 ingested, 7 unchanged, 0 duplicate, 0 failed;%' \
	"$(last_summary ingest)"
expect_like "map mapped nothing" '0 files mapped, 7 unchanged;%' "$(last_summary map)"
expect_eq "no new dedup run" "$n_dedup" "$(n_runs dedup)"
expect_eq "no new indicators run" "$n_ind" "$(n_runs indicators)"
expect_like "second run recorded" 'nothing new: 7 files unchanged, dedup, indicators and report skipped; % s' \
	"$(last_summary run)"
expect_grep "its log says dedup was skipped" 'Z run I dedup: skipped' "$(cat "$(last_log)")"
expect_grep "its log says indicators was skipped" 'Z run I indicators: skipped' "$(cat "$(last_log)")"
expect_grep "its log says report was skipped" 'Z run I report: skipped' "$(cat "$(last_log)")"
expect_eq "tables unchanged by the second run" "$by_run" \
	"$(pipeline_tables; indicator_tables; report_csv)"

# A third, quiet one is silent too.
expect_run 0 -q
expect_eq "still no new dedup run" "$n_dedup" "$(n_runs dedup)"
expect_eq "still no new indicators run" "$n_ind" "$(n_runs indicators)"
expect_eq "third run: report-sv.html not written again" "$t_html" \
	"$(mtime "$WORK/output/report-sv.html")"
expect_eq "three run logs" 3 "$(ls "$WORK/output/logs" | wc -l)"
expect_eq "input/ unchanged by the runs" "$before" "$(input_state)"
finish
