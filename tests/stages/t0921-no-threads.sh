#!/usr/bin/env bash
# t0921-no-threads.sh - guards that no stage needs a second thread: under
# tests/fault/nothread.c (an LD_PRELOAD shim: pthread_create fails with
# EAGAIN, as when RLIMIT_NPROC or memory runs out) the driver on the samples
# exits 0; ingest reads and map maps on one thread and say so at -v (before,
# both stopped with exit 70), dedup loads and indicators loads on one; and
# the tables (as t0507 compares them) and the report's CSV files equal
# those of a run with threads.
. "$(dirname "$0")/lib.sh"
# ASan's runtime must come first among the libraries and intercepts
# pthread_create itself: the shim runs in make test's normal build.
if nm -D "$PL_BIN/ingest" 2>/dev/null | grep -q '__asan_init'; then
	echo "skip: $TEST_NAME: the thread shim cannot interpose under ASan (runs in make test)"
	exit 0
fi
new_fixture
samples_fixture
SHIM=$WORK/nothread.so
n_checks=$((n_checks + 1))
if ! cc -shared -fPIC -o "$SHIM" "$PL_ROOT/tests/fault/nothread.c" 2>"$WORK/.cc"; then
	fail "the shim builds" "$(cat "$WORK/.cc")"
	finish
fi

REF=$WORK/ref/pipeline.db
expect_exit 0 "$PL_BIN/run" -q --bin "$PL_BIN" -i "$WORK/input" -m "$WORK/mappings" -d "$REF" -k "$KEY"
want=$(pipeline_tables "$REF"; indicator_tables "$REF"; report_csv "$WORK/ref")
expect_true "the reference has persons" test "$(sqlite3 "$REF" 'SELECT count(*) FROM person;')" -gt 1000

one_thread() { LD_PRELOAD="$SHIM" run_pipeline -v; }
expect_exit 0 one_thread
expect_grep "the shim refused threads (ingest, map, dedup, indicators)" '^nothread: [0-9]+ refused$' \
	"$(cat "$ERR")"
expect_eq "the shim refused threads in four stages" 4 "$(grep -a -c '^nothread: ' "$ERR")"
expect_grep "ingest read on one thread" \
	'Z ingest D [a-z_]+\.csv: reading on one thread: a second one could not be started: ' \
	"$(cat "$ERR")"
expect_grep "map mapped on one thread" \
	'Z map D [a-z_]+\.csv: mapping on one thread: a second one could not be started$' \
	"$(cat "$ERR")"
expect_eq "every file read and mapped on one thread" \
	"$(ls "$WORK/input" | wc -l) $(ls "$WORK/input" | wc -l)" \
	"$(grep -a -c 'reading on one thread' "$ERR") $(grep -a -c 'mapping on one thread' "$ERR")"
expect_true "the reference has tables" test "$(printf '%s\n' "$want" | wc -l)" -gt 10000
expect_same "tables and CSV files on one thread equal those with threads" \
	"$want" "$(pipeline_tables; indicator_tables; report_csv)"
finish
