#!/usr/bin/env bash
# t0506-run-logs.sh - guards the run logs and what reaches stderr:
# - each run writes output/logs/run-YYYYMMDDTHHMMSSZ.log (-N.log for another
#   run in the same second), and only the newest --keep-logs N (or [run]
#   keep_logs) run logs are kept: older run-*.log files are deleted, files
#   not named like a run log (and a directory named like one) never;
# - without -q stderr carries the stages' lines as they come; with -v the
#   stages run with -v (debug lines) and so does the driver; with -q the
#   log still gets everything while stderr gets nothing;
# - not a TTY: no progress line (no carriage return on stderr); on a TTY
#   (script(1)) a progress line per stage with its name and elapsed time.
. "$(dirname "$0")/lib.sh"
new_fixture
samples_fixture
logs=$WORK/output/logs
mkdir -p "$logs/run-20190101T000000Z.log"  # a directory: kept
for f in run-20200101T000000Z.log run-20200101T000000Z-2.log run-20200101T000000Z-10.log \
	run-20200102T000000Z.log notes.txt run-latest.log run-20200101T000000Z.log.gz \
	run-20200101T000000Z-0.log run-2020.log; do
	printf 'old\n' >"$logs/$f"
done

LOG_ERE='^run-[0-9]{8}T[0-9]{6}Z(-[1-9][0-9]{0,2})?\.log$'
run_log_names() { ls -p "$logs" | grep -E "$LOG_ERE" | tr '\n' ' ' | sed 's/ $//'; }
other_names() { ls -p "$logs" | grep -v -E "$LOG_ERE" | tr '\n' ' ' | sed 's/ $//'; }
others=$(other_names)
expect_eq "the files that are no run logs" \
	"notes.txt run-20190101T000000Z.log/ run-2020.log run-20200101T000000Z-0.log run-20200101T000000Z.log.gz run-latest.log" \
	"$(printf '%s\n' $others | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//')"

expect_run 0 -q --keep-logs 2
new=$(last_log)
expect_eq "--keep-logs 2: the newest old run log kept with this run's" \
	"run-20200102T000000Z.log $(basename "$new")" "$(run_log_names)"
expect_eq "--keep-logs 2: other files untouched" "$others" "$(other_names)"
expect_eq "the newest run log is this run's, with everything" "" \
	"$(grep -L -E 'Z dedup I [0-9]+ episodes' "$new")"
expect_true "-q: the log still has ingest's warnings" grep -q 'Z ingest W ' "$new"

for i in 1 2 3; do
	expect_run 0 -q --keep-logs 3
	made[$i]=$(basename "$(last_log)")
done
expect_eq "--keep-logs 3: the three newest kept" "${made[*]}" \
	"$(ls -p "$logs" | grep -E "$LOG_ERE" | sed -E 's/Z\.log$/Z-1.log/' | sort -t- -k2,2 -k3,3n |
	   sed 's/Z-1\.log$/Z.log/' | tr '\n' ' ' | sed 's/ $//')"
expect_eq "--keep-logs 3: other files untouched" "$others" "$(other_names)"

printf '[run]\nkeep_logs = 1\n' >"$WORK/run.ini"
expect_run 0 -q --config "$WORK/run.ini"
expect_eq "[run] keep_logs = 1" "$(basename "$(last_log)")" "$(run_log_names)"
expect_run 0 -q --config "$WORK/run.ini" --keep-logs 2
expect_eq "--keep-logs overrides keep_logs" 2 "$(run_log_names | wc -w)"
expect_eq "other files untouched at the end" "$others" "$(other_names)"

# Not a TTY: the lines, no progress.
printf '\r\n' >>"$WORK/input/angered.csv"  # changed: ingest reads it again (and warns)
expect_run 0
expect_grep "stderr: ingest's warnings" 'Z ingest W angered\.csv:67: ' "$(cat "$ERR")"
expect_grep "stderr: per-stage line with its time" 'Z run I map: exit 0 \(success\) in [0-9.]+ s$' "$(cat "$ERR")"
expect_eq "no carriage return when not a TTY" 0 "$(tr -cd '\r' <"$ERR" | wc -c)"
expect_eq "no debug lines without -v" "" "$(grep -E 'Z [a-z]+ D ' "$ERR")"
expect_eq "the log holds what stderr got" "$(cat "$ERR")" "$(cat "$(last_log)")"

expect_run 0 -v
expect_grep "-v: the stages' debug lines" 'Z ingest D .*unchanged since the last run' "$(cat "$ERR")"
expect_grep "-v: the driver's" 'Z run D ingest: starting .*/ingest$' "$(cat "$ERR")"

# A TTY: script(1) gives the driver one.
if command -v script >/dev/null; then
	touch "$WORK/input/angered.csv"
	script -qec "$(printf '%q ' "$PL_BIN/run" --bin "$PL_BIN" -i "$WORK/input" -m "$WORK/mappings" -d "$DB" -k "$KEY")" \
		/dev/null </dev/null >"$WORK/tty.out" 2>&1
	expect_eq "on a TTY: exit 0" 0 "$?"
	for s in ingest map; do
		expect_grep "on a TTY: a progress line for $s" "run: \\[[12]/5\\] $s [0-9]+\\.[0-9] s" \
			"$(tr '\r' '\n' <"$WORK/tty.out")"
	done
	expect_grep "on a TTY: the summary" 'Z run I nothing new' "$(tr '\r' '\n' <"$WORK/tty.out")"
	expect_true "on a TTY: no progress in the log" test "$(tr -cd '\r' <"$(last_log)" | wc -c)" -eq 0
else
	printf 'info: script(1) not found: TTY progress not tested\n'
fi
finish
