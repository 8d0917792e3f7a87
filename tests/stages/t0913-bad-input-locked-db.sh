#!/usr/bin/env bash
# t0913-bad-input-locked-db.sh - guards the stages after ingest against a
# database another process holds locked (t0103 covers ingest), after a good
# night and with work pending for map (a mapping file changed):
#   a writer (sqlite3 in BEGIN EXCLUSIVE; the database is in WAL mode, so
#   readers go on): map, dedup and indicators exit 75 within their busy
#   timeout (never waiting for ever, never 70 or a signal), each naming the
#   database and "database is locked"; map also when it has nothing to map
#   (its run cannot be recorded); report exits 0 and publishes the figures
#   last committed, the same tables as before; the driver exits 75 naming
#   the stage;
#   PL_LOCK_WAIT: with 1 (second) map exits 75 as well; a value that is not
#   whole seconds from 0 to 3600 is exit 78 naming the variable, from a
#   stage, and from the driver (its first stage says why);
#   a lock that keeps readers out too (locking_mode EXCLUSIVE): map, dedup,
#   indicators and report exit 75 naming the database;
# and, the lock released, the database, the published tables and the report
# files are as the good night left them, and the next run exits 0.
. "$(dirname "$0")/lib.sh"
new_fixture
samples_fixture
expect_run 0 -q

# state: what a night leaves; report_files: digests of the files report
# writes (the HTML and the workbook hold the time they were made).
state() {
	pipeline_tables
	indicator_tables
	q "SELECT stage, exit_code, summary FROM stage_run ORDER BY run_id;"
	report_csv
}
report_files() {
	(cd "$WORK/output" && sha256sum report-sv.html report.xlsx tables/*.csv)
}
night=$(state)
files=$(report_files)
expect_true "the good night published its tables" test "$(report_csv | grep -c '^== ')" -gt 10

# lock SQL: a sqlite3 process holds the database through a fifo, running
# SQL (with a busy timeout), until unlock; waits until a writer is refused.
holder=
lock() {
	rm -f "$WORK/lock.fifo"
	mkfifo "$WORK/lock.fifo"
	sqlite3 -batch "$DB" <"$WORK/lock.fifo" >/dev/null 2>&1 &
	holder=$!
	bg_pids="$bg_pids $holder"
	exec 3>"$WORK/lock.fifo"
	# a busy timeout: the probe below may hold the lock for an instant just
	# when the holder asks for it (without one the holder gave up at once,
	# and this test failed now and then under load)
	printf '.timeout 10000\n%s\n' "$1" >&3
	for _ in $(seq 100); do
		sqlite3 -batch "$DB" 'BEGIN IMMEDIATE; ROLLBACK;' >/dev/null 2>&1 || break
		sleep 0.1
	done
	expect_true "the holder has the database locked ($1)" \
		bash -c '! sqlite3 -batch "$1" "BEGIN IMMEDIATE; ROLLBACK;" 2>/dev/null' sh "$DB"
}
unlock() {
	exec 3>&-
	wait "$holder"
}

# locked WHAT STAGE ARGS...: STAGE exits 75 in at most 30 s with its error
# naming the database.
locked() {
	local what=$1 stage=$2 t0
	shift 2
	t0=$SECONDS
	expect_exit 75 timeout 60 "$PL_BIN/$stage" -q "$@"
	expect_true "$what: $stage gave up within 30 s (took $((SECONDS - t0)) s)" \
		test $((SECONDS - t0)) -le 30
	expect_grep "$what: $stage names the database" \
		"Z $stage E $(printf '%s' "$DB" | sed 's/[.[\*^$]/\\&/g'): database: .*database is locked$" \
		"$(cat "$ERR")"
	expect_eq "$what: $stage's stdout" "" "$(cat "$OUT")"
}
map_args=(-m "$WORK/mappings" -d "$DB" -k "$KEY")
dedup_args=(-c "$LINKAGE" -d "$DB" -k "$KEY")
ind_args=(-c "$CATALOGUE" -p "$POPULATION" -d "$DB")
report_args=(-o "$WORK/output" -d "$DB")

# A writer holds the lock.  map first with nothing to map, then with a
# changed mapping file (a comment: every angered file is to be mapped again).
lock 'BEGIN EXCLUSIVE;'
locked "writer, nothing to map" map "${map_args[@]}"
printf '; touched\n' >>"$WORK/mappings/angered.ini"
locked "writer, a file to map" map "${map_args[@]}"
locked "writer" dedup "${dedup_args[@]}"
locked "writer" indicators "${ind_args[@]}"
expect_exit 0 "$PL_BIN/report" -q "${report_args[@]}"
expect_eq "writer: report publishes the figures last committed" \
	"$(printf '%s\n' "$files" | grep ' tables/')" "$(report_files | grep ' tables/')"
expect_run 75 -q
expect_grep "writer: the driver names the stage" \
	"Z run E .* failed: exit 75" "$(tail -n 1 "$ERR")"
expect_exit 75 env PL_LOCK_WAIT=1 "$PL_BIN/map" -q "${map_args[@]}"
expect_grep "PL_LOCK_WAIT=1: map names the database" \
	"Z map E $(printf '%s' "$DB" | sed 's/[.[\*^$]/\\&/g'): database: .*database is locked$" \
	"$(cat "$ERR")"
expect_exit 78 env PL_LOCK_WAIT=1m "$PL_BIN/map" -q "${map_args[@]}"
expect_grep "PL_LOCK_WAIT=1m: map says what is wrong" \
	"Z map E PL_LOCK_WAIT is '1m': it must be a whole number of seconds from 0 to 3600$" \
	"$(cat "$ERR")"
export PL_LOCK_WAIT=-5
expect_run 78 -q
unset PL_LOCK_WAIT
expect_grep "PL_LOCK_WAIT=-5: the first stage says what is wrong" \
	"Z ingest E PL_LOCK_WAIT is '-5': it must be a whole number of seconds from 0 to 3600$" \
	"$(cat "$ERR")"
expect_grep "PL_LOCK_WAIT=-5: the driver stops there" \
	"Z run E ingest failed: exit 78 " "$(tail -n 1 "$ERR")"
unlock
expect_eq "writer released: the database and the published tables as before" \
	"$night" "$(state)"

# A lock that keeps readers out as well.
files=$(report_files)
lock 'PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE; SELECT count(*) FROM episode;'
expect_true "readers are locked out" \
	bash -c '! sqlite3 -batch "$1" "SELECT count(*) FROM episode;" 2>/dev/null' sh "$DB"
locked "exclusive" map "${map_args[@]}"
locked "exclusive" dedup "${dedup_args[@]}"
locked "exclusive" indicators "${ind_args[@]}"
locked "exclusive" report "${report_args[@]}"
expect_eq "exclusive: the report files untouched" "$files" "$(report_files)"
unlock
expect_eq "exclusive released: the database and the published tables as before" \
	"$night" "$(state)"

# Released: the night catches up (angered is mapped again, the same figures).
expect_run 0 -q
expect_eq "the next run publishes the same tables" "$(printf '%s\n' "$night" | sed -n '/^== /,$p')" \
	"$(report_csv)"
expect_reconciled
expect_map_reconciled
finish
