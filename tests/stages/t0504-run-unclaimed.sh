#!/usr/bin/env bash
# t0504-run-unclaimed.sh - guards exit 65: a file in input/ that no source
# claims does not stop the run: the other files are ingested, map, dedup,
# indicators and report run, the run exits 65 and its summary line (the last
# on stderr, and the stage_run summary) names the file.  With -q stderr
# holds only ingest's error lines and that summary.  The next run, with the
# file still there, again exits 65 but has nothing new; more such files make
# report run again (its data-quality tables count them), nothing else; once
# they are gone, 0 with nothing new.
. "$(dirname "$0")/lib.sh"
new_fixture
samples_fixture
printf 'Personnummer;Insats\n19800101-0000;HVB\n' >"$WORK/input/notes.txt"

expect_run 65 -q
expect_eq "-q: all but the last line on stderr are ingest's errors" "" \
	"$(sed '$d' "$ERR" | grep -v -E '^[0-9T:-]+Z ingest E ')"
expect_eq "-q: the last line is run's one error line" 1 "$(grep -c -E '^[0-9T:-]+Z run ' "$ERR")"
expect_grep "-q: ingest's error names the file" 'Z ingest E notes\.txt: no source claims this file' \
	"$(head -n 1 "$ERR")"
expect_grep "summary line names the file" \
	"Z run E exit 65: ingest could not process 1 of 8 files: 'notes\\.txt' \\(unclaimed\\); the others: 7 files ingested, 0 unchanged; 7 files mapped; dedup: 2973 episodes, [0-9]+ persons; indicators: [0-9]+ indicators over [0-9]+ persons, 2973 episodes; report: [0-9]+ tables, [0-9]+ cells; [0-9.]+ s; log .*/output/logs/run-[0-9T]+Z\\.log$" \
	"$(tail -n 1 "$ERR")"
expect_eq "the other files ingested" 7 "$(q "SELECT count(*) FROM input_file WHERE status = 'ok';")"
expect_eq "notes.txt registered unclaimed" unclaimed \
	"$(q "SELECT status FROM input_file WHERE name = 'notes.txt';")"
expect_eq "map, dedup and indicators ran" "1 1 1" "$(n_runs map) $(n_runs dedup) $(n_runs indicators)"
expect_true "indicator values made" test "$(q 'SELECT count(*) FROM indicator_value;')" -gt 0
expect_true "the report written" test -s "$WORK/output/report-sv.html" -a -s "$WORK/output/report.xlsx"
expect_grep "the report counts the unclaimed file among lundby's and the others" '^Total,8,' \
	"$(cat "$WORK/output/tables/quality_district.csv")"
expect_eq "every episode has a person" 2973 "$(q 'SELECT count(*) FROM episode_person;')"
expect_eq "run recorded with 65" 65 \
	"$(q "SELECT exit_code FROM stage_run WHERE stage = 'run' ORDER BY run_id DESC LIMIT 1;")"
expect_like "run's stage_run summary names the file" "%'notes.txt' (unclaimed)%" "$(last_summary run)"
expect_true "notes.txt left in input/" test -s "$WORK/input/notes.txt"

expect_run 65
expect_grep "second run: nothing new besides the file" \
	"Z run E exit 65: ingest could not process 1 of 8 files: 'notes\\.txt' \\(unclaimed\\); the others: nothing new: 7 files unchanged, dedup, indicators and report skipped; " \
	"$(tail -n 1 "$ERR")"
expect_eq "second run: dedup and indicators not run" "1 1" "$(n_runs dedup) $(n_runs indicators)"

# Several bad files: named, in order.
printf 'x\n' >"$WORK/input/a.txt"
printf 'x\n' >"$WORK/input/b.txt"
expect_run 65 -q
expect_grep "three files named" \
	"could not process 3 of 10 files: 'a\\.txt' \\(unclaimed\\), 'b\\.txt' \\(unclaimed\\), 'notes\\.txt' \\(unclaimed\\); " \
	"$(tail -n 1 "$ERR")"
expect_grep "more unclaimed files: only report runs again" \
	'; the others: 0 files ingested, 7 unchanged; 0 files mapped; dedup skipped \(nothing it reads changed\); indicators skipped \(nothing it reads changed\); report: [0-9]+ tables, [0-9]+ cells; ' \
	"$(tail -n 1 "$ERR")"
expect_grep "the report counts them" '^Total,10,' "$(cat "$WORK/output/tables/quality_district.csv")"

rm "$WORK/input/notes.txt" "$WORK/input/a.txt" "$WORK/input/b.txt"
expect_run 0 -q
expect_like "the files gone: nothing new, exit 0" \
	'nothing new: 7 files unchanged, dedup, indicators and report skipped;%' \
	"$(last_summary run)"
expect_grep "the report skipped is the database's: its files as registered" \
	"^Total,$(q 'SELECT count(*) FROM input_file;')," "$(cat "$WORK/output/tables/quality_district.csv")"
finish
