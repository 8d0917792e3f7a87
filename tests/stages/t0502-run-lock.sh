#!/usr/bin/env bash
# t0502-run-lock.sh - guards the driver's lock, output/run.lock (flock):
# - while another process holds it, a run exits at once with 75 and one line
#   on stderr naming the lock, even with -q; it writes no log, runs no stage
#   and leaves the database as it was;
# - a lock file left by a holder killed with SIGKILL does not block: the next
#   run takes it and exits 0;
# - a second driver started while a first one is running (its ingest held up
#   by a slow fake stage) is refused with 75, and the first one finishes.
. "$(dirname "$0")/lib.sh"
new_fixture
samples_fixture
expect_run 0 -q
snap=$(pipeline_tables; indicator_tables)
n_stage_runs=$(q 'SELECT count(*) FROM stage_run;')
logs=$(run_logs)

# hold_lock: a process holding output/run.lock; its pid in $holder.
hold_lock() {
	rm -f "$WORK/ready"
	(exec 9>>"$WORK/output/run.lock" && flock 9 && : >"$WORK/ready" && exec sleep 60) &
	holder=$!
	bg_pids="$bg_pids $holder"
	local i
	for i in $(seq 100); do [ -e "$WORK/ready" ] && break; sleep 0.05; done
	expect_true "the holder has the lock" test -e "$WORK/ready"
}

hold_lock
for args in "" "-q"; do
	# shellcheck disable=SC2086
	expect_run 75 $args
	expect_eq "refused run $args: one line on stderr" 1 "$(wc -l <"$ERR")"
	expect_grep "refused run $args: says why" \
		'Z run E .*output/run\.lock: another run holds the lock \(pid [0-9]+\); try again later$' \
		"$(cat "$ERR")"
done
expect_eq "refused runs wrote no log" "$logs" "$(run_logs)"
expect_eq "refused runs ran no stage" "$n_stage_runs" "$(q 'SELECT count(*) FROM stage_run;')"

# The holder is killed: the lock file stays, the lock does not.
kill -9 "$holder"
wait "$holder" 2>/dev/null
expect_true "the lock file is still there" test -e "$WORK/output/run.lock"
expect_run 0 -q
expect_like "the run after a killed holder" 'nothing new:%' "$(last_summary run)"
expect_eq "tables unchanged" "$snap" "$(pipeline_tables; indicator_tables)"

# Two drivers: the first one's ingest is slow (a fake stage that sleeps).
fake=$WORK/fake
fake_stages "$fake"
FAKE_INGEST_SLEEP=3 run_pipeline -q --bin "$fake" >"$WORK/first.out" 2>"$WORK/first.err" &
first=$!
bg_pids="$bg_pids $first"
for i in $(seq 100); do [ -s "$fake/ran" ] && break; sleep 0.02; done
expect_eq "the first run's ingest started" ingest "$(cat "$fake/ran" 2>/dev/null)"
expect_run 75 -q --bin "$fake"
expect_grep "second driver refused" 'another run holds the lock \(pid [0-9]+\)' "$(cat "$ERR")"
wait "$first"
expect_eq "the first run finished" 0 "$?"
expect_eq "the first run ran every stage once" "ingest map dedup indicators report" \
	"$(tr '\n' ' ' <"$fake/ran" | sed 's/ $//')"
finish
