#!/usr/bin/env bash
# t0501-run-samples.sh - guards the driver on the repository's samples:
# - a full run exits 0, silent with -q, and leaves exactly the tables that
#   ingest, map and dedup run by hand make (same data, same key);
# - it is recorded in stage_run (stage 'run') after one row of each stage,
#   and its log holds every stage's lines and its own, all in the log format;
# - a second run says "nothing new", ingests and maps nothing (the stages'
#   stage_run summaries) and does not run dedup (no new dedup row; the log
#   says it was skipped); without -q it prints that summary on stderr;
# - nothing in input/ changes (names, sizes, times, modes, content).
. "$(dirname "$0")/lib.sh"
new_fixture
samples_fixture
before=$(input_state)

expect_run 0 -q
expect_eq "stages run, in order" "ingest map dedup run" \
	"$(q "SELECT group_concat(stage, ' ') FROM (SELECT stage FROM stage_run ORDER BY run_id);")"
expect_eq "stage exit codes" "0 0 0 0" \
	"$(q "SELECT group_concat(exit_code, ' ') FROM (SELECT exit_code FROM stage_run ORDER BY run_id);")"
expect_like "run summary" '7 files ingested, 0 unchanged; 7 files mapped; dedup: % episodes, % persons; % s' \
	"$(last_summary run)"
expect_eq "episodes" 2973 "$(q 'SELECT count(*) FROM episode;')"
expect_true "persons made" test "$(q 'SELECT count(*) FROM person;')" -gt 1000

# The same by hand, into another database with the same key.
HAND=$WORK/hand/pipeline.db
expect_exit 0 "$PL_BIN/ingest" -q -i "$WORK/input" -m "$WORK/mappings" -d "$HAND" -k "$KEY"
expect_exit 0 "$PL_BIN/map" -q -m "$WORK/mappings" -d "$HAND" -k "$KEY"
expect_exit 0 "$PL_BIN/dedup" -q -c "$LINKAGE" -d "$HAND" -k "$KEY"
by_run=$(pipeline_tables "$DB")
by_hand=$(pipeline_tables "$HAND")
expect_true "the tables are not empty" test "$(printf '%s\n' "$by_run" | wc -l)" -gt 10000
if [ "$by_run" != "$by_hand" ]; then
	fail "run's tables equal those of the three stages by hand" \
		"$(diff <(printf '%s\n' "$by_hand") <(printf '%s\n' "$by_run") | head -n 20)"
else
	n_checks=$((n_checks + 1))
fi

log=$(last_log)
expect_true "a run log was written" test -s "$log"
expect_like "log name" '%/output/logs/run-________T______Z.log' "$log"
expect_eq "log lines not in the log format" "" "$(grep -a -v -E -e "$RUN_LOG_ERE" "$log")"
for s in run ingest map dedup; do
	expect_grep "the log holds $s's lines" "Z $s I " "$(cat "$log")"
done
expect_grep "the log holds ingest's warnings" 'Z ingest W angered\.csv:67: ' "$(cat "$log")"
expect_grep "the log ends with the summary" 'Z run I 7 files ingested' "$(tail -n 1 "$log")"
expect_true "run.state written" test -s "$WORK/output/run.state"

# A second run: nothing new.
n_dedup=$(n_runs dedup)
expect_run 0
expect_grep "second run says nothing new" \
	'Z run I nothing new: 7 files unchanged, dedup skipped; [0-9.]+ s$' "$(tail -n 1 "$ERR")"
expect_grep "second run says dedup was skipped" 'Z run I dedup: skipped' "$(cat "$ERR")"
expect_like "ingest ingested nothing" '7 files: 0 ingested, 7 unchanged, 0 duplicate, 0 failed;%' \
	"$(last_summary ingest)"
expect_like "map mapped nothing" '0 files mapped, 7 unchanged;%' "$(last_summary map)"
expect_eq "no new dedup run" "$n_dedup" "$(n_runs dedup)"
expect_like "second run recorded" 'nothing new: 7 files unchanged, dedup skipped; % s' \
	"$(last_summary run)"
expect_grep "its log says dedup was skipped" 'Z run I dedup: skipped' "$(cat "$(last_log)")"
expect_eq "tables unchanged by the second run" "$by_run" "$(pipeline_tables)"

# A third, quiet one is silent too.
expect_run 0 -q
expect_eq "still no new dedup run" "$n_dedup" "$(n_runs dedup)"
expect_eq "three run logs" 3 "$(ls "$WORK/output/logs" | wc -l)"
expect_eq "input/ unchanged by the runs" "$before" "$(input_state)"
finish
