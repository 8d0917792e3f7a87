#!/usr/bin/env bash
# t0507-run-crash.sh - guards crash safety: the driver on the samples is
# killed with SIGKILL at 10 points, each on a fresh output directory (same
# key):
# - 5 points: the driver itself, after a random delay (seeded:
#   PL_CRASH_SEED, default 5071) in each fifth of the time an uninterrupted
#   run takes, so inside ingest, map, dedup, indicators or report; its
#   stages die with it;
# - 5 points: the running ingest, map, dedup, indicators or report process
#   itself, a moment after it started; the driver then stops with 70 naming
#   it (a stage that finished before the kill landed must have been logged
#   as a success, and the run exits 0);
# then, once no process of the run is left and the lock is free, the driver
# is run again to completion (exit 0), and the tables (input_file without
# ingested_at and mtime_ns, file_column, raw_row without its random nonces,
# reject, episode, mapped_file without mapped_at, map_value, person,
# episode_person, person_link, linkage_param, indicator, indicator_value,
# indicator_equity, indicator_trend) and the report's CSV tables (the HTML
# and the workbook hold the run's time) must be those of an uninterrupted
# run.
. "$(dirname "$0")/lib.sh"
new_fixture
samples_fixture
seed=${PL_CRASH_SEED:-5071}
RANDOM=$seed

REF=$WORK/ref/pipeline.db
t0=$(date +%s%N)
expect_exit 0 "$PL_BIN/run" -q --bin "$PL_BIN" -i "$WORK/input" -m "$WORK/mappings" -d "$REF" -k "$KEY"
t_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
want=$(pipeline_tables "$REF"; indicator_tables "$REF"; report_csv "$WORK/ref")
expect_true "the reference has persons" test "$(sqlite3 "$REF" 'SELECT count(*) FROM person;')" -gt 1000
expect_true "the reference has indicator values" \
	test "$(sqlite3 "$REF" 'SELECT count(*) FROM indicator_value;')" -gt 0
expect_true "the reference has the report's tables" test -s "$WORK/ref/tables/persons_district_year.csv"

# gone: wait (at most 10 s) until no process names the test's database.
gone() {
	local i
	for i in $(seq 200); do
		pgrep -f -- "$DB" >/dev/null || return 0
		sleep 0.05
	done
	return 1
}

interrupted=0
for point in 1 2 3 4 5 6 7 8 9 10; do
	rm -rf "$WORK/output"
	"$PL_BIN/run" -q --bin "$PL_BIN" -i "$WORK/input" -m "$WORK/mappings" -d "$DB" -k "$KEY" \
		>"$WORK/killed.out" 2>"$WORK/killed.err" &
	driver=$!
	what=
	if [ "$point" -le 5 ]; then
		# stratified: point p in the p-th fifth of the run's time
		slot=$(( t_ms / 5 > 0 ? t_ms / 5 : 1 ))
		delay_ms=$(( (point - 1) * slot + RANDOM % slot ))
		sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
		running=$(ps -o comm= --ppid "$driver" 2>/dev/null | tr '\n' ' ')
		kill -9 "$driver" 2>/dev/null
		what="driver after ${delay_ms} ms (running: ${running:-no stage})"
	else
		stage=$(printf 'ingest map dedup indicators report' | cut -d' ' -f$((point - 5)))
		child=
		for i in $(seq 5000); do
			child=$(pgrep -P "$driver" -f -- "/$stage ") && break
			kill -0 "$driver" 2>/dev/null || break
		done
		if [ -n "$child" ]; then
			sleep "0.00$((RANDOM % 10))"
			kill -9 "$child" 2>/dev/null
			what="$stage (pid $child)"
		else
			what="$stage not caught running"
		fi
	fi
	{ wait "$driver"; } 2>/dev/null
	rc=$?
	[ "$rc" != 0 ] && interrupted=$((interrupted + 1))
	printf 'info: point %d: killed %s: run exit %d; stage_run %s\n' "$point" "$what" "$rc" \
		"$(sqlite3 "$DB" "SELECT group_concat(stage || '=' || coalesce(exit_code, '-'), ' ')
		                   FROM stage_run;" 2>/dev/null)"
	case $what in
	ingest\ \(*|map\ \(*|dedup\ \(*|indicators\ \(*|report\ \(*)
		if [ "$rc" == 0 ]; then
			# the stage ended between pgrep and kill: a success, logged so
			printf 'info: point %d: %s finished before the kill\n' "$point" "$stage"
			expect_grep "point $point: $stage finished before the kill" \
				"Z run I $stage: exit 0 \\(success\\)" "$(cat "$(last_log)")"
		else
			expect_eq "point $point: the driver's exit after its $stage was killed" 70 "$rc"
			expect_grep "point $point: summary names $stage" \
				"Z run E $stage was killed by signal 9: exit 70" "$(cat "$WORK/killed.err")"
		fi
		;;
	esac
	expect_true "point $point: no process of the killed run left" gone
	# a killed process may hold its files a moment longer than its command
	# line (its memory goes first: long for a sanitizer build)
	if [ -e "$WORK/output/run.lock" ]; then
		expect_true "point $point: the lock is free" flock -w 10 "$WORK/output/run.lock" true
	fi
	expect_exit 0 run_pipeline -q
	expect_same "point $point ($what): tables and CSV files after the rerun equal an uninterrupted run's" \
		"$want" "$(pipeline_tables; indicator_tables; report_csv)"
done
printf 'info: seed %s, uninterrupted run %d ms, %d of 10 killed runs interrupted\n' \
	"$seed" "$t_ms" "$interrupted"
expect_true "most kill points interrupted a run ($interrupted of 10)" test "$interrupted" -ge 7
finish
