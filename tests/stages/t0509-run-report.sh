#!/usr/bin/env bash
# t0509-run-report.sh - guards the report stage in the driver, on the samples:
# - report runs after indicators as `report -o DIR --lang LANG -d DB`, DIR
#   the database's directory, with -v when the run has it (a wrapper logs
#   its arguments);
# - an analyst deletes report-sv.html, report.xlsx or tables/: the next run
#   runs report alone (dedup and indicators skipped) and the file is back;
#   the run after it has nothing new;
# - --lang en writes report-en.html (in English; report-sv.html stays as it
#   was), and runs report even though the Swedish files are there; again
#   with --lang en: nothing new; back to Swedish: report runs again;
# - [report] lang = en in the config file does the same; --lang overrides it.
. "$(dirname "$0")/lib.sh"
new_fixture
samples_fixture

# The real stages, and report through a wrapper that logs its arguments.
bin=$WORK/bin
mkdir -p "$bin"
for s in ingest map dedup indicators report; do ln -s "$PL_BIN/$s" "$bin/$s"; done
rm "$bin/report"
printf '#!/bin/sh\nprintf "%%s\\n" "$*" >>"%s/report.args"\nexec "%s/report" "$@"\n' \
	"$WORK" "$PL_BIN" >"$bin/report"
chmod +x "$bin/report"

expect_run 0 -q --bin "$bin"
expect_eq "report's arguments" "-o $WORK/output --lang sv -d $DB" "$(cat "$WORK/report.args")"
for f in report-sv.html report.xlsx tables/persons_district_year.csv; do
	expect_true "output/$f written" test -s "$WORK/output/$f"
done
n=$(n_runs dedup)
ni=$(n_runs indicators)

# only_report WHAT: this run ran report alone, with -v; its file is back.
only_report() {
	expect_like "$1: report alone" '0 files ingested, 7 unchanged; 0 files mapped; dedup skipped (nothing it reads changed); indicators skipped (nothing it reads changed); report: % tables, % cells; % s' \
		"$(last_summary run)"
	expect_eq "$1: dedup and indicators not run" "$n $ni" "$(n_runs dedup) $(n_runs indicators)"
	expect_grep "$1: the driver says why" "Z run D '.*' is gone: running report$" "$(cat "$ERR")"
	expect_eq "$1: report ran with -v" "-o $WORK/output --lang sv -d $DB -v" \
		"$(tail -n 1 "$WORK/report.args")"
}
# nothing_new WHAT: the next run (ARGS after WHAT) does nothing.
nothing_new() {
	local what=$1 t
	shift
	t=$(mtime "$WORK/output/report.xlsx")
	rm -f "$WORK/report.args"
	expect_run 0 -q --bin "$bin" "$@"
	expect_like "$what, then: nothing new" \
		'nothing new: 7 files unchanged, dedup, indicators and report skipped;%' \
		"$(last_summary run)"
	expect_true "$what, then: report not run" test ! -e "$WORK/report.args"
	expect_eq "$what, then: report.xlsx not written again" "$t" "$(mtime "$WORK/output/report.xlsx")"
}
nothing_new "first run"

rm "$WORK/output/report-sv.html"
expect_run 0 -v --bin "$bin"
only_report "report-sv.html deleted"
expect_true "report-sv.html deleted: back" test -s "$WORK/output/report-sv.html"
nothing_new "report-sv.html deleted"

rm "$WORK/output/report.xlsx"
expect_run 0 -v --bin "$bin"
only_report "report.xlsx deleted"
expect_true "report.xlsx deleted: back" test -s "$WORK/output/report.xlsx"
nothing_new "report.xlsx deleted"

rm -r "$WORK/output/tables"
expect_run 0 -v --bin "$bin"
only_report "tables/ deleted"
expect_true "tables/ deleted: back" test -s "$WORK/output/tables/persons_district_year.csv"
nothing_new "tables/ deleted"

# English.
t_sv=$(mtime "$WORK/output/report-sv.html")
expect_run 0 -q --bin "$bin" --lang en
expect_eq "--lang en: report's arguments" "-o $WORK/output --lang en -d $DB" \
	"$(tail -n 1 "$WORK/report.args")"
expect_true "--lang en: report-en.html written" test -s "$WORK/output/report-en.html"
expect_true "--lang en: in English" grep -q '^<html lang="en">' "$WORK/output/report-en.html"
expect_eq "--lang en: report-sv.html as it was" "$t_sv" "$(mtime "$WORK/output/report-sv.html")"
expect_eq "--lang en: dedup and indicators not run" "$n $ni" "$(n_runs dedup) $(n_runs indicators)"
nothing_new "--lang en" --lang en
t_en=$(mtime "$WORK/output/report-en.html")
expect_run 0 -q --bin "$bin"
expect_like "back to Swedish: report runs" '%; report: % tables, % cells; % s' "$(last_summary run)"
expect_true "back to Swedish: report-sv.html written again" \
	test "$t_sv" != "$(mtime "$WORK/output/report-sv.html")"
expect_eq "back to Swedish: report-en.html as it was" "$t_en" "$(mtime "$WORK/output/report-en.html")"

# The config file's [report] lang, and --lang over it.
cat >"$WORK/run.ini" <<'INI'
[report]
lang = en
INI
rm -f "$WORK/report.args"
expect_run 0 -q --bin "$bin" --config "$WORK/run.ini"
expect_eq "[report] lang = en: report's arguments" "-o $WORK/output --lang en -d $DB" \
	"$(cat "$WORK/report.args")"
expect_true "[report] lang = en: report-en.html written again" \
	test "$t_en" != "$(mtime "$WORK/output/report-en.html")"
nothing_new "[report] lang = en" --config "$WORK/run.ini"
expect_run 0 -q --bin "$bin" --config "$WORK/run.ini" --lang sv
expect_eq "--lang sv over [report] lang = en" "-o $WORK/output --lang sv -d $DB" \
	"$(tail -n 1 "$WORK/report.args")"
finish
