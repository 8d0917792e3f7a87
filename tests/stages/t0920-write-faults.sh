#!/usr/bin/env bash
# t0920-write-faults.sh - a full disk or an unwritable output directory
# (tests/fault/faultwrite.c: an LD_PRELOAD shim failing writes with ENOSPC
# to files whose path holds $FAULT_PATH, after $FAULT_AFTER bytes):
# - report, disk full while writing its files (the CSV tables, the workbook,
#   the HTML report, at several points): exit 74, a message naming the file
#   and the device full, no temporary file left, and the previous report-sv.html,
#   report.xlsx and tables/*.csv byte-identical (guards against the report
#   renaming its CSVs and workbook into place before the HTML failed);
# - indicators, disk full writing the database, its state file
#   (pipeline.db.indicators.XXXXXX) or a full count's persons file
#   (pipeline.db.indicators-persons.XXXXXX): exit 74 "database or disk is
#   full", or "No space left on device" naming the file, the transaction
#   rolled back (a marker row survives; same figures), no temporary file left;
# - run with a fault during indicators: exit 74, the previous outputs intact;
#   the next run without the fault exits 0 with the snapshot's figures;
# - an output path that cannot be a directory (its parent is a file: root
#   ignores modes), and a 64 KiB tmpfs when mount is permitted: report exits
#   73 (or 74 on the full tmpfs) with a message, the database untouched.
. "$(dirname "$0")/lib.sh"
# Under ASan (make check) the sanitizer's own interceptors sit between the
# programs and the LD_PRELOAD shim, so the shim cannot inject faults there;
# this test runs in make test's normal build, where it can.
if nm -D "$PL_BIN/report" 2>/dev/null | grep -q '__asan_init'; then
	echo "skip: $TEST_NAME: the fault shim cannot interpose under ASan (runs in make test)"
	exit 0
fi
new_fixture
samples_fixture
O=$WORK/output
SHIM=$WORK/faultwrite.so
n_checks=$((n_checks + 1))
if ! cc -shared -fPIC -o "$SHIM" "$PL_ROOT/tests/fault/faultwrite.c" -ldl 2>"$WORK/.cc"; then
	fail "the shim builds" "$(cat "$WORK/.cc")"
	finish
fi
# faulty ENV... COMMAND...: COMMAND with the shim and the given FAULT_ settings.
faulty() { env LD_PRELOAD="$SHIM" "$@"; }

ind_snapshot() { indicator_tables; q "SELECT count(*) FROM episode;"; }
report_sums() { (cd "$O" && sha256sum report-sv.html report.xlsx tables/*.csv); }
no_temps() { find "$O" -name '*tmp*' | sed "s|^$O/||"; }

expect_run 0 -q
figures=$(ind_snapshot)
sums=$(report_sums)
expect_true "the snapshot has the indicator tables" test "$(printf '%s\n' "$figures" | wc -l)" -gt 100
expect_true "the snapshot has the report's files" test "$(printf '%s\n' "$sums" | wc -l)" -gt 20

# 1. report, disk full in the output directory at several points
report() { "$PL_BIN/report" -d "$DB" -o "$O" "$@"; }
size() { cat "$@" | wc -c; }
C=$(size "$O"/tables/*.csv)
X=$(size "$O/report.xlsx")
H=$(size "$O/report-sv.html")
# the stage writes the CSV tables, then the workbook, then the HTML report
for case in "$O/.report.tmp 0 tables/.*csv" "$O/.report.tmp 5000 tables/.*csv" \
	    "$O/.report.tmp $((C + X / 2)) report.xlsx" \
	    "$O/.report.tmp $((C + X + H / 2)) report.xlsx|report-sv.html" \
	    "$O/ 0 pipeline.db"; do
	set -- $case
	expect_exit 74 faulty FAULT_PATH="$1" FAULT_AFTER="$2" "$PL_BIN/report" -q -d "$DB" -o "$O"
	expect_grep "report, disk full ($1 after $2): the shim failed a write" \
		"^faultwrite: ENOSPC on $O/" "$(cat "$ERR")"
	expect_grep "report, disk full ($1 after $2): a message naming the file" \
		"Z report E [^ ]*($3)[^ ]*: .*(No space left on device|disk I/O error|cannot write the workbook)" "$(cat "$ERR")"
	expect_eq "report, disk full ($1 after $2): no temporary file left" "" "$(no_temps)"
	expect_eq "report, disk full ($1 after $2): the previous report intact" "$sums" "$(report_sums)"
done

# 2. indicators, disk full writing the database: rolled back
q "UPDATE indicator_value SET note = 'marker-t0920' WHERE rowid = (SELECT min(rowid) FROM indicator_value);"
marked=$(ind_snapshot)
for case in "pipeline.db-wal 0" "pipeline.db-wal 100000" "pipeline.db.indicators. 0" \
	"pipeline.db.indicators. 100000" "pipeline.db.indicators-persons 0" \
	"pipeline.db.indicators-persons 100000"; do
	set -- $case
	kept="pipeline.db.indicators pipeline.db.indicators-persons"
	if [ "$1" = pipeline.db.indicators-persons ]; then
		rm "$O/pipeline.db.indicators"   # a full count: a whole new persons file
		kept=pipeline.db.indicators-persons
	fi
	expect_exit 74 faulty FAULT_PATH="$1" FAULT_AFTER="$2" "$PL_BIN/indicators" -q \
		-c "$CATALOGUE" -p "$POPULATION" -d "$DB"
	expect_grep "indicators, disk full ($1 after $2): the shim failed a write" \
		"^faultwrite: ENOSPC on $O/pipeline\.db" "$(cat "$ERR")"
	case $1 in
	pipeline.db.indicators.)
		expect_grep "indicators, disk full ($1 after $2): says so, naming the state file" \
			'Z indicators E .*pipeline\.db\.indicators\.[A-Za-z0-9]{6}: .*No space left on device' \
			"$(cat "$ERR")" ;;
	pipeline.db.indicators-persons)
		expect_grep "indicators, disk full ($1 after $2): says so, naming the persons file" \
			'Z indicators E .*pipeline\.db\.indicators-persons[.A-Za-z0-9]*: .*No space left on device' \
			"$(cat "$ERR")" ;;
	*)
		expect_grep "indicators, disk full ($1 after $2): says so" \
			'Z indicators E .*pipeline\.db: .*database or disk is full' "$(cat "$ERR")" ;;
	esac
	expect_eq "indicators, disk full ($1 after $2): the indicator tables unchanged (rolled back)" \
		"$marked" "$(ind_snapshot)"
	expect_eq "indicators, disk full ($1 after $2): no temporary state file left" "$kept" \
		"$(cd "$O" && ls | grep '\.indicators' | tr '\n' ' ' | sed 's/ $//')"
done
expect_eq "the marker survived" 1 "$(q "SELECT count(*) FROM indicator_value WHERE note = 'marker-t0920';")"

# 3. the driver with a fault during indicators (a changed catalogue makes it run)
printf '\n# t0920: a comment, so that indicators runs again\n' >>"$CATALOGUE"
n_ind=$(n_runs indicators)
# ingest and map, with nothing new, only record their runs (a few WAL
# frames, and a run that cannot be recorded fails the stage): the budget of
# 64 KiB per process lets them, not indicators' tables.
faulty_run() { LD_PRELOAD="$SHIM" FAULT_PATH=$1 FAULT_AFTER=$2 run_pipeline -q; }
expect_exit 74 faulty_run pipeline.db-wal 65536
expect_grep "run, disk full: indicators said so" 'Z indicators E .*database or disk is full' "$(cat "$ERR")"
expect_grep "run, disk full: the shim failed a write" '^faultwrite: ENOSPC on .*pipeline\.db-wal' "$(cat "$ERR")"
expect_eq "run, disk full: the indicator tables unchanged" "$marked" "$(ind_snapshot)"
expect_eq "run, disk full: the previous report intact" "$sums" "$(report_sums)"
expect_eq "run, disk full: no temporary file left" "" "$(no_temps)"
expect_run 0 -q
expect_eq "the next run: indicators ran again (the failed run could record nothing)" "$((n_ind + 1))" "$(n_runs indicators)"
expect_eq "the next run: the snapshot's figures" "$figures" "$(ind_snapshot)"
expect_eq "the next run: the same CSV tables" "$(printf '%s\n' "$sums" | grep tables/)" \
	"$(report_sums | grep tables/)"

# 4. an output directory that cannot be created or written
sums=$(report_sums)
expect_exit 73 "$PL_BIN/report" -q -d "$DB" -o "$O/report-sv.html/sub"
expect_grep "output under a file: exit 73 with a message" \
	"Z report E $O/report-sv.html/sub: cannot create the output directory: Not a directory" "$(cat "$ERR")"
expect_eq "output under a file: the previous report intact" "$sums" "$(report_sums)"
mkdir "$WORK/tiny"
if mount -t tmpfs -o size=64k tmpfs "$WORK/tiny" 2>/dev/null; then
	expect_exit 74 "$PL_BIN/report" -q -d "$DB" -o "$WORK/tiny"
	expect_grep "a full tmpfs: a message" 'Z report E .*No space left on device' "$(cat "$ERR")"
	expect_eq "a full tmpfs: nothing left in it" "" "$(ls -A "$WORK/tiny")"
	umount "$WORK/tiny"
else
	echo "t0920: note: mount not permitted here, the full-tmpfs variant skipped"
fi
finish
